// The dashboard's reads: parameterised SQL only, exact amounts scaled in TypeScript (BigInt).
import { formatUnits } from "../normalize/amount.ts";
import { DAY_MS, SUMMABLE } from "../model/time.ts";
import { jsonValue, type Warehouse } from "../warehouse/types.ts";
import { walletTokenMetricsSql } from "../metrics/sql.ts";
import { deliverySummary } from "../notify/outbox.ts";

export const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
type Row = Record<string, string | number | boolean | null>;

/** A raw integer sum (string) in token units, exactly; null stays null. */
const units = (raw: unknown, decimals: unknown) =>
  raw === null || raw === undefined ? null : formatUnits(BigInt(String(raw).split(".")[0]), Number(decimals ?? 0));

/** Every transfer touching a watched wallet, once (a transfer between two watched wallets is not counted twice). */
const WATCHED_TRANSFERS = `SELECT t.* FROM transfers t WHERE t.status = 'success'
  AND (t.from_address IN (SELECT address FROM wallets) OR t.to_address IN (SELECT address FROM wallets))`;

/**
 * One wallet's rows exactly as `wallet_activity` has them, with the wallet and an optional time window pushed
 * into each branch (the view over every wallet is what makes a page slow on millions of rows).
 */
function activityOf(wallet: string, window?: { fromMs: number; toMs: number }): { sql: string; params: unknown[] } {
  const t = window ? " AND timestamp_ms > ? AND timestamp_ms <= ?" : "";
  const tp = window ? [window.fromMs, window.toMs] : [];
  const cols = `transaction_id, transfer_id, block, timestamp_utc, timestamp_ms, asset_type, token_id, token_symbol, token_name, token_decimals,
    amount_raw, amount_num, amount, status, confirmed, risk, token_level`;
  return {
    sql: `SELECT ? AS wallet, 'transfer' AS kind, ${cols}, CASE WHEN to_address = from_address THEN 'self' ELSE 'out' END AS direction, to_address AS counterparty, CAST(NULL AS INTEGER) AS contract_type
        FROM transfers WHERE from_address = ?${t}
      UNION ALL SELECT ?, 'transfer', ${cols}, 'in', from_address, CAST(NULL AS INTEGER) FROM transfers WHERE to_address = ? AND from_address <> ?${t}
      UNION ALL SELECT ?, 'transaction', x.hash, NULL, x.block, x.timestamp_utc, x.timestamp_ms, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, x.status, x.confirmed, NULL, NULL,
          CASE WHEN x.owner_address = ? AND x.to_address = ? THEN 'self' WHEN x.owner_address = ? THEN 'out' ELSE 'in' END,
          CASE WHEN x.owner_address = ? THEN x.to_address ELSE x.owner_address END, x.contract_type
        FROM transactions x WHERE (x.owner_address = ? OR x.to_address = ?)${t.replace(/timestamp_ms/g, "x.timestamp_ms")}
          AND NOT EXISTS (SELECT 1 FROM transfers f WHERE f.transaction_id = x.hash AND (f.from_address = ? OR f.to_address = ?))`,
    params: [
      wallet,
      wallet,
      ...tp,
      wallet,
      wallet,
      wallet,
      ...tp,
      wallet,
      wallet,
      wallet,
      wallet,
      wallet,
      wallet,
      wallet,
      ...tp,
      wallet,
      wallet,
    ],
  };
}

/** Ids of successful transactions touching any watched wallet in a window (transfers and transactions, each side). */
const WATCHED_TX_IDS = `SELECT t.transaction_id AS id, w.address AS wallet FROM transfers t JOIN wallets w ON t.from_address = w.address WHERE t.status = 'success' AND t.timestamp_ms > ? AND t.timestamp_ms <= ?
  UNION ALL SELECT t.transaction_id, w.address FROM transfers t JOIN wallets w ON t.to_address = w.address WHERE t.status = 'success' AND t.timestamp_ms > ? AND t.timestamp_ms <= ?
  UNION ALL SELECT x.hash, w.address FROM transactions x JOIN wallets w ON x.owner_address = w.address WHERE x.status = 'success' AND x.timestamp_ms > ? AND x.timestamp_ms <= ?
  UNION ALL SELECT x.hash, w.address FROM transactions x JOIN wallets w ON x.to_address = w.address WHERE x.status = 'success' AND x.timestamp_ms > ? AND x.timestamp_ms <= ?`;
const win4 = (from: number, to: number) => [from, to, from, to, from, to, from, to];

export async function overview(w: Warehouse, nowMs: number) {
  const d7 = nowMs - 7 * DAY_MS,
    d30 = nowMs - 30 * DAY_MS;
  const [k] = await w.query<Row>(
    `SELECT
      (SELECT count(*) FROM wallets) AS wallets,
      (SELECT count(DISTINCT id) FROM (${WATCHED_TX_IDS})) AS tx_7d,
      (SELECT count(*) FROM alerts WHERE status IN ('open', 'acknowledged')) AS open_alerts,
      (SELECT count(*) FROM anomalies WHERE COALESCE(occurred_at_ms, detected_at_ms) > ?) AS anomalies_24h`,
    [...win4(d7, nowMs), nowMs - DAY_MS],
  );
  const tokens = await w.query<Row>(
    `SELECT token_id, max(token_symbol) AS symbol, max(token_name) AS name, max(token_decimals) AS decimals,
      count(*) AS transfers, CAST(sum(CASE WHEN ${SUMMABLE} THEN amount_num END) AS VARCHAR) AS volume_raw
    FROM (${WATCHED_TRANSFERS}) t WHERE timestamp_ms > ? AND timestamp_ms <= ? GROUP BY token_id ORDER BY count(*) DESC LIMIT 50`,
    [d30, nowMs],
  );
  const [run] =
    await w.query<Row>(`SELECT run_id, command, status, error, ${w.dialect.timestampToMs("started_at")} AS started_ms, ${w.dialect.timestampToMs("ended_at")} AS ended_ms
    FROM runs ORDER BY started_at DESC LIMIT 1`);
  const perToken = tokens.map((t) => ({
    token_id: t.token_id,
    symbol: t.symbol,
    name: t.name,
    transfers: Number(t.transfers),
    volume: units(t.volume_raw, t.decimals),
  }));
  return {
    now: new Date(nowMs).toISOString(),
    wallets: Number(k.wallets),
    tx_7d: Number(k.tx_7d),
    open_alerts: Number(k.open_alerts),
    anomalies_24h: Number(k.anomalies_24h),
    usdt_volume_30d: perToken.find((t) => t.token_id === USDT)?.volume ?? "0",
    volume_30d_by_token: perToken,
    last_cycle: run
      ? {
          run_id: run.run_id,
          command: run.command,
          status: run.status,
          error: run.error,
          started_at: iso(run.started_ms),
          ended_at: iso(run.ended_ms),
          age_seconds: run.ended_ms === null ? null : Math.max(0, Math.round((nowMs - Number(run.ended_ms)) / 1000)),
        }
      : null,
  };
}

const iso = (ms: unknown) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

export async function charts(w: Warehouse, nowMs: number) {
  const d7 = nowMs - 7 * DAY_MS,
    d30 = nowMs - 30 * DAY_MS;
  const activity = await w.query<Row>(
    `SELECT w.address AS wallet, w.label, count(DISTINCT a.id) AS tx
    FROM wallets w LEFT JOIN (${WATCHED_TX_IDS}) a ON a.wallet = w.address
    GROUP BY w.address, w.label ORDER BY tx DESC, w.address LIMIT 20`,
    win4(d7, nowMs),
  );
  const side = (
    mine: "from" | "to",
  ) => `SELECT t.${mine}_address AS wallet, t.amount_num FROM transfers t JOIN wallets w ON t.${mine}_address = w.address
    WHERE t.status = 'success' AND t.token_id = ? AND t.from_address <> t.to_address AND t.timestamp_ms > ? AND t.timestamp_ms <= ?`;
  const top = await w.query<Row>(
    `SELECT a.wallet, max(w.label) AS label, CAST(sum(a.amount_num) AS VARCHAR) AS volume_raw, 6 AS decimals
    FROM (${side("from")} UNION ALL ${side("to")}) a JOIN wallets w ON w.address = a.wallet
    GROUP BY a.wallet ORDER BY sum(a.amount_num) DESC, a.wallet LIMIT 5`,
    [USDT, d30, nowMs, USDT, d30, nowMs],
  );
  const day = (col: string) => `CAST(floor(${col} / ${DAY_MS}) AS BIGINT) * ${DAY_MS}`;
  const daily = await w.query<Row>(
    `SELECT ${day("timestamp_ms")} AS day, count(DISTINCT transaction_id) AS tx,
      CAST(sum(CASE WHEN token_id = ? AND ${SUMMABLE} THEN amount_num END) AS VARCHAR) AS usdt_raw
    FROM (${WATCHED_TRANSFERS}) t WHERE timestamp_ms > ? AND timestamp_ms <= ? GROUP BY 1 ORDER BY 1`,
    [USDT, d30, nowMs],
  );
  const alertsDaily = await w.query<Row>(
    `SELECT ${day("first_seen_ms")} AS day, count(*) AS n FROM alerts WHERE first_seen_ms > ? GROUP BY 1 ORDER BY 1`,
    [d30],
  );
  const anomaliesDaily = await w.query<Row>(
    `SELECT ${day("detected_at_ms")} AS day, count(*) AS n FROM anomalies WHERE detected_at_ms > ? GROUP BY 1 ORDER BY 1`,
    [d30],
  );
  return {
    activity_7d: activity.map((r) => ({ wallet: r.wallet, label: r.label, tx: Number(r.tx) })),
    top_usdt_30d: top.map((r) => ({ wallet: r.wallet, label: r.label, volume: units(r.volume_raw, r.decimals) })),
    daily_30d: daily.map((r) => ({
      day: iso(r.day)!.slice(0, 10),
      tx: Number(r.tx),
      usdt: units(r.usdt_raw ?? "0", 6),
    })),
    alerts_daily: alertsDaily.map((r) => ({ day: iso(r.day)!.slice(0, 10), n: Number(r.n) })),
    anomalies_daily: anomaliesDaily.map((r) => ({ day: iso(r.day)!.slice(0, 10), n: Number(r.n) })),
  };
}

export async function alertsList(
  w: Warehouse,
  f: { status?: string; rule?: string; wallet?: string; from?: number; to?: number; limit: number },
) {
  const where: string[] = [],
    p: unknown[] = [];
  if (f.status === "active") where.push("status IN ('open', 'acknowledged')");
  else if (f.status) {
    where.push("status = ?");
    p.push(f.status);
  }
  if (f.rule) {
    where.push("rule_name = ?");
    p.push(f.rule);
  }
  if (f.wallet) {
    where.push("wallet = ?");
    p.push(f.wallet);
  }
  if (f.from !== undefined) {
    where.push("last_seen_ms >= ?");
    p.push(f.from);
  }
  if (f.to !== undefined) {
    where.push("first_seen_ms <= ?");
    p.push(f.to);
  }
  const rows = await w.query<Row>(
    `SELECT alert_id, rule_name, kind, wallet, status, value, threshold, token_symbol, period_days, first_seen_ms, last_seen_ms, resolved_at_ms, note, acted_by
    FROM alerts ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY last_seen_ms DESC, alert_id LIMIT ?`,
    [...p, f.limit],
  );
  const rules = await w.query<Row>("SELECT DISTINCT rule_name FROM alerts ORDER BY 1");
  return {
    rules: rules.map((r) => r.rule_name),
    alerts: rows.map((r) => ({
      ...r,
      first_seen: iso(r.first_seen_ms),
      last_seen: iso(r.last_seen_ms),
      resolved_at: iso(r.resolved_at_ms),
    })),
  };
}

export async function anomaliesList(
  w: Warehouse,
  f: { type?: string; wallet?: string; from?: number; to?: number; limit: number },
) {
  const where: string[] = [],
    p: unknown[] = [];
  if (f.type) {
    where.push("anomaly_type = ?");
    p.push(f.type);
  }
  if (f.wallet) {
    where.push("wallet = ?");
    p.push(f.wallet);
  }
  if (f.from !== undefined) {
    where.push("detected_at_ms >= ?");
    p.push(f.from);
  }
  if (f.to !== undefined) {
    where.push("detected_at_ms <= ?");
    p.push(f.to);
  }
  const rows = await w.query<Row>(
    `SELECT anomaly_id, anomaly_type, wallet, transaction_id, token_id, token_symbol, amount, reason, occurred_at_ms, detected_at_ms
    FROM anomalies ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY detected_at_ms DESC, occurred_at_ms DESC, anomaly_id LIMIT ?`,
    [...p, f.limit],
  );
  return rows.map((r) => ({ ...r, occurred_at: iso(r.occurred_at_ms), detected_at: iso(r.detected_at_ms) }));
}

export async function walletPage(w: Warehouse, address: string, nowMs: number) {
  const [wallet] = await w.query<Row>("SELECT address, label FROM wallets WHERE address = ?", [address]);
  if (!wallet) return null;
  // the view's SQL with the page's own "now" (the view itself uses the database clock)
  const mine = activityOf(address);
  const tokens = await w.query<Row>(
    `SELECT * FROM (${walletTokenMetricsSql(String(Math.trunc(nowMs)), `(${mine.sql})`)}) m ORDER BY transfers DESC`,
    mine.params,
  );
  const metric = (t: Row, key: string) => units(t[key], t.token_decimals);
  const d30 = nowMs - 30 * DAY_MS;
  const recent = activityOf(address, { fromMs: d30, toMs: nowMs });
  const daily = await w.query<Row>(
    `SELECT CAST(floor(timestamp_ms / ${DAY_MS}) AS BIGINT) * ${DAY_MS} AS day, count(DISTINCT transaction_id) AS tx,
      count(DISTINCT CASE WHEN direction = 'in' THEN transaction_id END) AS tx_in, count(DISTINCT CASE WHEN direction = 'out' THEN transaction_id END) AS tx_out
    FROM (${recent.sql}) a WHERE status = 'success' GROUP BY 1 ORDER BY 1`,
    recent.params,
  );
  const counterparties = await w.query<Row>(
    `SELECT a.counterparty, count(*) AS transfers, count(DISTINCT a.token_id) AS tokens, max(a.timestamp_ms) AS last_ms,
      max(l.label) AS label, max(CASE WHEN p.anomaly_id IS NOT NULL THEN 1 ELSE 0 END) = 1 AS lookalike
    FROM (${mine.sql}) a LEFT JOIN wallets l ON l.address = a.counterparty
      LEFT JOIN anomalies p ON p.anomaly_type = 'address_poisoning' AND p.wallet = a.wallet AND p.transaction_id = a.transaction_id
    WHERE a.kind = 'transfer' AND a.counterparty IS NOT NULL
    GROUP BY a.counterparty ORDER BY count(*) DESC, a.counterparty LIMIT 20`,
    mine.params,
  );
  return {
    wallet: wallet.address,
    label: wallet.label,
    tokens: tokens.map((t) => ({
      token_id: t.token_id,
      symbol: t.token_symbol,
      asset_type: t.asset_type,
      decimals: t.token_decimals === null ? null : Number(t.token_decimals),
      transfers_7d: Number(t.transfers_7d),
      transfers_30d: Number(t.transfers_30d),
      transfers: Number(t.transfers),
      in_7d: metric(t, "volume_in_raw_7d"),
      out_7d: metric(t, "volume_out_raw_7d"),
      in_30d: metric(t, "volume_in_raw_30d"),
      out_30d: metric(t, "volume_out_raw_30d"),
      in_all: metric(t, "volume_in_raw"),
      out_all: metric(t, "volume_out_raw"),
      largest: metric(t, "largest_raw"),
    })),
    daily_30d: daily.map((r) => ({
      day: iso(r.day)!.slice(0, 10),
      tx: Number(r.tx),
      tx_in: Number(r.tx_in),
      tx_out: Number(r.tx_out),
    })),
    counterparties: counterparties.map((c) => ({
      address: c.counterparty,
      transfers: Number(c.transfers),
      tokens: Number(c.tokens),
      last_seen: iso(c.last_ms),
      label: c.label,
      lookalike: Boolean(c.lookalike),
    })),
    alerts: (await alertsList(w, { wallet: address, limit: 100 })).alerts,
    anomalies: await anomaliesList(w, { wallet: address, limit: 25 }),
  };
}

export const SORTS = { time: "timestamp_ms", amount: "amount_num", token: "token_symbol", status: "status" } as const;

export async function walletActivity(
  w: Warehouse,
  address: string,
  f: {
    kind?: "transfer" | "transaction";
    token?: string;
    direction?: string;
    status?: string;
    from?: number;
    to?: number;
    minRaw?: string;
    maxRaw?: string;
    sort: keyof typeof SORTS;
    order: "asc" | "desc";
    page: number;
    pageSize: number;
  },
) {
  const mine = activityOf(
    address,
    f.from !== undefined || f.to !== undefined ? { fromMs: (f.from ?? -1) - 1, toMs: f.to ?? 8.64e15 } : undefined,
  );
  const where = ["TRUE"],
    p: unknown[] = [...mine.params];
  if (f.kind) {
    where.push("kind = ?");
    p.push(f.kind);
  }
  if (f.token) {
    where.push("token_id = ?");
    p.push(f.token);
  }
  if (f.direction) {
    where.push("direction = ?");
    p.push(f.direction);
  }
  if (f.status) {
    where.push("status = ?");
    p.push(f.status);
  }
  if (f.from !== undefined) {
    where.push("timestamp_ms >= ?");
    p.push(f.from);
  }
  if (f.to !== undefined) {
    where.push("timestamp_ms <= ?");
    p.push(f.to);
  }
  if (f.minRaw !== undefined) {
    where.push("amount_num >= CAST(? AS DECIMAL(38,0))");
    p.push(f.minRaw);
  }
  if (f.maxRaw !== undefined) {
    where.push("amount_num <= CAST(? AS DECIMAL(38,0))");
    p.push(f.maxRaw);
  }
  const cond = where.join(" AND ");
  const [n] = await w.query<{ n: string }>(`SELECT count(*) AS n FROM (${mine.sql}) a WHERE ${cond}`, p);
  const rows = await w.query<Row>(
    `SELECT kind, transaction_id, transfer_id, timestamp_ms, direction, counterparty, asset_type, token_id, token_symbol, token_name,
      amount, amount_raw, status, confirmed, contract_type
    FROM (${mine.sql}) a WHERE ${cond} ORDER BY ${SORTS[f.sort]} ${f.order === "asc" ? "ASC" : "DESC"} NULLS LAST, transaction_id, transfer_id
    LIMIT ? OFFSET ?`,
    [...p, f.pageSize, (f.page - 1) * f.pageSize],
  );
  return {
    total: Number(n.n),
    page: f.page,
    page_size: f.pageSize,
    rows: rows.map((r) => ({ ...r, time: iso(r.timestamp_ms) })),
  };
}

export async function healthPage(w: Warehouse, nowMs: number) {
  const runs =
    await w.query<Row>(`SELECT run_id, command, status, error, counts, ${w.dialect.timestampToMs("started_at")} AS started_ms,
      ${w.dialect.timestampToMs("ended_at")} - ${w.dialect.timestampToMs("started_at")} AS duration_ms FROM runs ORDER BY started_at DESC LIMIT 30`);
  const sinks = await deliverySummary(w);
  const [q] = await w.query<{ n: string }>("SELECT count(*) AS n FROM quarantine");
  const quarantine = await w.query<Row>("SELECT * FROM quarantine ORDER BY 1 DESC LIMIT 20");
  const health = await w.query<Row>(
    "SELECT alert_id, rule_name, wallet, value, threshold, status, first_seen_ms FROM alerts WHERE kind = 'health' ORDER BY first_seen_ms DESC LIMIT 50",
  );
  return {
    runs: runs.map((r) => {
      const c = jsonValue<Record<string, number>>(r.counts) ?? {};
      return {
        run_id: r.run_id,
        command: r.command,
        status: r.status,
        error: r.error,
        started_at: iso(r.started_ms),
        duration_ms: r.duration_ms === null ? null : Number(r.duration_ms),
        requests: c.requests ?? null,
        transfers_new: c.transfersNew ?? null,
        retries: c.retries ?? null,
        throttled: c.throttled ?? null,
        throttled_ms: c.throttledMs ?? null,
        quarantined: c.quarantined ?? null,
      };
    }),
    sinks,
    quarantined: Number(q.n),
    quarantine,
    health: health.map((h) => ({ ...h, first_seen: iso(h.first_seen_ms) })),
    now: new Date(nowMs).toISOString(),
  };
}
