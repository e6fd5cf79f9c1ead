// The dashboard's reads: SQL values with bound parameters only (warehouse/sql.ts), each labelled; exact amounts
// scaled in TypeScript (BigInt). A wallet's rows come from the one wallet-side builder (warehouse/activity/wallet-side.ts).
import { type Alert, alertSeverity } from "../model/alerts.ts";
import { healthLimit } from "../model/health-rules.ts";
import { SEVERITIES, type Severity } from "../model/severity.ts";
import { atLeastSeverity } from "../anomalies/anomaly-store.ts";
import { imitatedId, USDT_CONTRACT } from "../model/tokens.ts";
import { formatUnits } from "../model/amount.ts";
import { DAY_MS, isoOrNull, SUMMABLE, utcDaySql } from "../model/time.ts";
import { lastRuns, statusReport } from "../reports/status.ts";
import { and, labelled, raw, type Sql, sql } from "../warehouse/sql.ts";
import type { Warehouse } from "../warehouse/types.ts";
import { walletActivity, walletTransactions, walletTransfers } from "../warehouse/activity/wallet-side.ts";
import { tokenMetricsOver } from "../warehouse/activity/metrics.ts";
import { rollupCurrent } from "../warehouse/activity/rollup.ts";
import {
  dailyTotalsSql,
  tokenTotalsSql,
  topVolumeSql,
  txCountSql,
  walletActivityRows,
  walletDaysSql,
  walletTransferRows,
  walletTxSql,
} from "./rolled.ts";

/** The contract of the well-known token this one borrows the symbol or name of (null: none): shown as a warning. */
const imitates = imitatedId;

const USDT = USDT_CONTRACT;
type Row = Record<string, string | number | boolean | null>;

/** A raw integer sum (string) in token units, exactly; null stays null. */
const units = (raw: unknown, decimals: unknown) =>
  raw === null || raw === undefined ? null : formatUnits(BigInt(String(raw).split(".")[0]), Number(decimals ?? 0));

/** Every transfer touching a watched wallet, once (a transfer between two watched wallets is not counted twice). */
const WATCHED_TRANSFERS = raw(`SELECT t.* FROM transfers t WHERE t.status = 'success'
  AND (t.from_address IN (SELECT address FROM wallets) OR t.to_address IN (SELECT address FROM wallets))`);

/** Ids of successful transactions touching any watched wallet in a window (ms, (from, to]), per wallet. */
function watchedTxIds(fromMs: number, toMs: number): Sql {
  const within = (a: string) =>
    sql`${raw(a)}.status = 'success' AND ${raw(a)}.timestamp_ms > ${fromMs} AND ${raw(a)}.timestamp_ms <= ${toMs}`;
  return sql`SELECT id, wallet FROM
    (${walletTransfers({ select: raw("t.transaction_id AS id"), where: within("t") })}) a
    UNION ALL SELECT id, wallet FROM (${walletTransactions({ select: raw("x.hash AS id"), where: within("x") })}) b`;
}

/**
 * The figures below read the daily rollups when they are current (after a cycle: warehouse/activity/rollup.ts, rolled.ts);
 * otherwise (rows loaded since the last refresh, a reader that may not refresh) the base tables, exactly as
 * before. `base` forces the base tables (the equivalence test compares both).
 */
export async function overview(w: Warehouse, nowMs: number, base = false) {
  const d7 = nowMs - 7 * DAY_MS,
    d30 = nowMs - 30 * DAY_MS;
  const rolled = !base && (await rollupCurrent(w));
  const tx7d = rolled
    ? txCountSql({ fromMs: d7, toMs: nowMs })
    : sql`(SELECT count(DISTINCT id) FROM (${watchedTxIds(d7, nowMs)}) a)`;
  const [k] = await w.query<Row>(
    labelled(
      "dashboard.kpis",
      sql`SELECT
      (SELECT count(*) FROM wallets) AS wallets,
      ${tx7d} AS tx_7d,
      (SELECT count(*) FROM alerts WHERE status IN ('open', 'acknowledged')) AS open_alerts,
      (SELECT count(*) FROM anomalies WHERE COALESCE(occurred_at_ms, detected_at_ms) > ${nowMs - DAY_MS}
        AND COALESCE(occurred_at_ms, detected_at_ms) <= ${nowMs}) AS anomalies_24h`,
    ),
  );
  const tokens = await w.query<Row>(
    rolled
      ? tokenTotalsSql({ fromMs: d30, toMs: nowMs })
      : labelled(
          "dashboard.tokens",
          sql`SELECT token_id, max(token_symbol) AS symbol, max(token_name) AS name, max(token_decimals) AS decimals,
      count(*) AS transfers, CAST(sum(CASE WHEN ${raw(SUMMABLE)} THEN amount_num END) AS VARCHAR) AS volume_raw
    FROM (${WATCHED_TRANSFERS}) t WHERE timestamp_ms > ${d30} AND timestamp_ms <= ${nowMs}
    GROUP BY token_id ORDER BY count(*) DESC, token_id LIMIT 50`,
        ),
  );
  // the last cycle that ended (one running now is said apart: "running" must not hide that the last ones failed)
  const recentRuns = await lastRuns(w, 5);
  const run = recentRuns.find((r) => r.status !== "running");
  const running = recentRuns[0]?.status === "running" ? recentRuns[0] : null;
  const health = await w.query<Row>(
    labelled(
      "dashboard.open_health",
      sql`SELECT alert_id, rule_name, wallet, value, threshold, first_seen_ms FROM alerts
      WHERE kind = 'health' AND status IN ('open', 'acknowledged') ORDER BY first_seen_ms`,
    ),
  );
  const perToken = tokens.map((t) => ({
    token_id: t.token_id,
    symbol: t.symbol,
    name: t.name,
    imitates: imitates(t.token_id, t.symbol, t.name),
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
    running_since: running ? running.started_at : null,
    health_alerts: health.map((h) => ({
      ...h,
      first_seen: iso(h.first_seen_ms),
      ...healthLimit(String(h.rule_name)),
    })),
    last_cycle: run
      ? {
          run_id: run.run_id,
          command: run.command,
          status: run.status,
          error: run.error,
          started_at: run.started_at,
          ended_at: run.ended_at,
          age_seconds:
            run.ended_at === null ? null : Math.max(0, Math.round((nowMs - Date.parse(run.ended_at)) / 1000)),
        }
      : null,
  };
}

const iso = isoOrNull;

export async function charts(w: Warehouse, nowMs: number, base = false) {
  const d7 = nowMs - 7 * DAY_MS,
    d30 = nowMs - 30 * DAY_MS;
  const rolled = !base && (await rollupCurrent(w));
  const month = { fromMs: d30, toMs: nowMs };
  const activity = await w.query<Row>(
    rolled
      ? walletTxSql({ fromMs: d7, toMs: nowMs })
      : labelled(
          "dashboard.activity_7d",
          sql`SELECT w.address AS wallet, w.label, count(DISTINCT a.id) AS tx
    FROM wallets w LEFT JOIN (${watchedTxIds(d7, nowMs)}) a ON a.wallet = w.address
    GROUP BY w.address, w.label ORDER BY tx DESC, w.address LIMIT 20`,
        ),
  );
  const usdt = walletTransfers({
    select: raw("t.amount_num"),
    where: sql`t.status = 'success' AND t.token_id = ${USDT} AND t.from_address <> t.to_address
      AND t.timestamp_ms > ${d30} AND t.timestamp_ms <= ${nowMs} AND ${raw(SUMMABLE.replace("amount_raw", "t.amount_raw"))}`,
  });
  const top = await w.query<Row>(
    rolled
      ? topVolumeSql(month, USDT)
      : labelled(
          "dashboard.top_usdt",
          sql`SELECT a.wallet, max(w.label) AS label, CAST(sum(a.amount_num) AS VARCHAR) AS volume_raw
    FROM (${usdt}) a JOIN wallets w ON w.address = a.wallet
    GROUP BY a.wallet ORDER BY sum(a.amount_num) DESC, a.wallet LIMIT 5`,
        ),
  );
  const day = (col: string) => raw(utcDaySql(col));
  const daily = await w.query<Row>(
    rolled
      ? dailyTotalsSql(month, USDT)
      : labelled(
          "dashboard.daily",
          sql`SELECT ${day("timestamp_ms")} AS day, count(DISTINCT transaction_id) AS tx,
      CAST(sum(CASE WHEN token_id = ${USDT} AND ${raw(SUMMABLE)} THEN amount_num END) AS VARCHAR) AS usdt_raw
    FROM (${WATCHED_TRANSFERS}) t WHERE timestamp_ms > ${d30} AND timestamp_ms <= ${nowMs} GROUP BY 1 ORDER BY 1`,
        ),
  );
  // per day of the 30-day window only, so that the axis spans the window and never the future
  const perDay = (table: string, col: string) =>
    w.query<Row>(
      labelled(
        `dashboard.${table}_daily`,
        sql`SELECT ${day(col)} AS day, count(*) AS n FROM ${raw(table)}
        WHERE ${raw(col)} > ${d30} AND ${raw(col)} <= ${nowMs} GROUP BY 1 ORDER BY 1`,
      ),
    );
  const alertsDaily = await perDay("alerts", "first_seen_ms");
  // anomalies by the day of the activity they are about (detection may come long after, on imported history)
  const anomaliesDaily = await perDay("anomalies", "COALESCE(occurred_at_ms, detected_at_ms)");
  return {
    activity_7d: activity.map((r) => ({ wallet: r.wallet, label: r.label, tx: Number(r.tx) })),
    top_usdt_30d: top.map((r) => ({ wallet: r.wallet, label: r.label, volume: units(r.volume_raw, 6) })),
    daily_30d: daily.map((r) => ({
      day: iso(r.day)!.slice(0, 10),
      tx: Number(r.tx),
      usdt: units(r.usdt_raw ?? "0", 6),
    })),
    alerts_daily: alertsDaily.map((r) => ({ day: iso(r.day)!.slice(0, 10), n: Number(r.n) })),
    anomalies_daily: anomaliesDaily.map((r) => ({ day: iso(r.day)!.slice(0, 10), n: Number(r.n) })),
  };
}

/** Conditions for the values given (undefined: no condition). */
const given = (pairs: [unknown, (v: never) => Sql][]): Sql =>
  and(pairs.filter(([v]) => v !== undefined).map(([v, cond]) => cond(v as never)));

export async function alertsList(
  w: Warehouse,
  f: { status?: string; rule?: string; wallet?: string; from?: number; to?: number; limit: number },
) {
  const where = given([
    [f.status, (v: string) => (v === "active" ? raw("a.status IN ('open', 'acknowledged')") : sql`a.status = ${v}`)],
    [f.rule, (v: string) => sql`a.rule_name = ${v}`],
    [f.wallet, (v: string) => sql`a.wallet = ${v}`],
    [f.from, (v: number) => sql`a.last_seen_ms >= ${v}`],
    [f.to, (v: number) => sql`a.first_seen_ms <= ${v}`],
  ]);
  const rows = await w.query<Row>(
    labelled(
      "dashboard.alerts",
      sql`SELECT a.alert_id, a.rule_name, a.kind, a.wallet, l.label, a.status, a.value, a.threshold, a.token_symbol,
        a.period_days, a.first_seen_ms, a.last_seen_ms, a.resolved_at_ms, a.note, a.acted_by, d.disposition
      FROM alerts a LEFT JOIN wallets l ON l.address = a.wallet
        LEFT JOIN dispositions d ON d.item_kind = 'alert' AND d.item_id = a.alert_id
      WHERE ${where}
      ORDER BY CASE WHEN a.kind = 'health' THEN 0 ELSE 1 END, a.first_seen_ms DESC, a.alert_id LIMIT ${f.limit}`,
    ),
  );
  const rules = await w.query<Row>(
    labelled("dashboard.alert_rules", sql`SELECT DISTINCT rule_name FROM alerts ORDER BY 1`),
  );
  return {
    rules: rules.map((r) => r.rule_name),
    alerts: rows.map((r) => ({
      ...r,
      severity: alertSeverity(r.kind as Alert["kind"]),
      ...healthLimit(String(r.rule_name)),
      first_seen: iso(r.first_seen_ms),
      last_seen: iso(r.last_seen_ms),
      resolved_at: iso(r.resolved_at_ms),
    })),
  };
}

/** Severities from `min` up (info < warning < critical). */
const atLeast = (min: string, alias = "") => atLeastSeverity(min as Severity, alias);

export async function anomaliesList(
  w: Warehouse,
  f: { type?: string; wallet?: string; from?: number; to?: number; limit: number; min_severity?: string },
) {
  const where = given([
    [f.min_severity, (v: string) => atLeast(v, "a.")],
    [f.type, (v: string) => sql`a.anomaly_type = ${v}`],
    [f.wallet, (v: string) => sql`a.wallet = ${v}`],
    [f.from, (v: number) => sql`a.detected_at_ms >= ${v}`],
    [f.to, (v: number) => sql`a.detected_at_ms <= ${v}`],
  ]);
  const rows = await w.query<Row>(
    labelled(
      "dashboard.anomalies",
      sql`SELECT a.anomaly_id, a.anomaly_type, a.severity, a.wallet, l.label, a.transaction_id, a.token_id, a.token_symbol,
        a.amount, a.reason, a.occurred_at_ms, a.detected_at_ms, a.reviewed_by, a.suppressed_by, d.disposition
      FROM anomalies a LEFT JOIN wallets l ON l.address = a.wallet
        LEFT JOIN dispositions d ON d.item_kind = 'finding' AND d.item_id = a.anomaly_id
      WHERE ${where} ORDER BY a.detected_at_ms DESC, a.occurred_at_ms DESC, a.anomaly_id LIMIT ${f.limit}`,
    ),
  );
  return rows.map((r) => ({ ...r, occurred_at: iso(r.occurred_at_ms), detected_at: iso(r.detected_at_ms) }));
}

export async function walletPage(w: Warehouse, address: string, nowMs: number, base = false) {
  const [wallet] = await w.query<Row>(
    labelled("dashboard.wallet", sql`SELECT address, label FROM wallets WHERE address = ${address}`),
  );
  if (!wallet) return null;
  const rolled = !base && (await rollupCurrent(w));
  // its transfers from wallet_history when current, else the view's SQL (with the page's own "now")
  const mine = rolled ? walletTransferRows(address) : walletActivity({ wallet: address });
  const tokens = await w.query<Row>(
    labelled(
      "dashboard.wallet_tokens",
      sql`SELECT * FROM (${tokenMetricsOver(nowMs, mine)}) m ORDER BY transfers DESC, token_id`,
    ),
  );
  const metric = (t: Row, key: string) => units(t[key], t.token_decimals);
  const recent = walletActivity({ wallet: address, window: { fromMs: nowMs - 30 * DAY_MS, toMs: nowMs } });
  const daily = await w.query<Row>(
    rolled
      ? walletDaysSql({ fromMs: nowMs - 30 * DAY_MS, toMs: nowMs }, address)
      : labelled(
          "dashboard.wallet_daily",
          sql`SELECT ${raw(utcDaySql("timestamp_ms"))} AS day, count(DISTINCT transaction_id) AS tx,
        count(DISTINCT CASE WHEN direction = 'in' THEN transaction_id END) AS tx_in,
        count(DISTINCT CASE WHEN direction = 'out' THEN transaction_id END) AS tx_out
      FROM (${recent}) a WHERE status = 'success' GROUP BY 1 ORDER BY 1`,
        ),
  );
  const counterparties = await w.query<Row>(
    labelled(
      "dashboard.wallet_counterparties",
      sql`SELECT a.counterparty, count(*) AS transfers, count(DISTINCT a.token_id) AS tokens, max(a.timestamp_ms) AS
        last_ms,
        max(l.label) AS label, max(CASE WHEN p.anomaly_id IS NOT NULL THEN 1 ELSE 0 END) = 1 AS lookalike
      FROM (${mine}) a LEFT JOIN wallets l ON l.address = a.counterparty
        LEFT JOIN anomalies p ON p.anomaly_type = 'address_poisoning' AND p.wallet = a.wallet
          AND p.transaction_id = a.transaction_id
      WHERE a.kind = 'transfer' AND a.counterparty IS NOT NULL
      GROUP BY a.counterparty ORDER BY count(*) DESC, a.counterparty LIMIT 20`,
    ),
  );
  return {
    wallet: wallet.address,
    label: wallet.label,
    tokens: tokens.map((t) => ({
      token_id: t.token_id,
      symbol: t.token_symbol,
      imitates: imitates(t.token_id, t.token_symbol, t.token_name),
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

export type ActivityFilter = {
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
};

/** One page of a wallet's activity, filtered and sorted, with the filtered total. */
export async function walletActivityPage(w: Warehouse, address: string, f: ActivityFilter, base = false) {
  const window =
    f.from !== undefined || f.to !== undefined ? { fromMs: (f.from ?? -1) - 1, toMs: f.to ?? 8.64e15 } : undefined;
  // from wallet_history when current (one narrow table), else the base tables
  const mine =
    !base && (await rollupCurrent(w)) ? walletActivityRows(address) : walletActivity({ wallet: address, window });
  const where = given([
    [f.kind, (v: string) => sql`kind = ${v}`],
    [f.token, (v: string) => sql`token_id = ${v}`],
    [f.direction, (v: string) => sql`direction = ${v}`],
    [f.status, (v: string) => sql`status = ${v}`],
    [f.from, (v: number) => sql`timestamp_ms >= ${v}`],
    [f.to, (v: number) => sql`timestamp_ms <= ${v}`],
    [f.minRaw, (v: string) => sql`amount_num >= CAST(${v} AS DECIMAL(38,0))`],
    [f.maxRaw, (v: string) => sql`amount_num <= CAST(${v} AS DECIMAL(38,0))`],
  ]);
  const order = raw(`${SORTS[f.sort]} ${f.order === "asc" ? "ASC" : "DESC"}`);
  // the page and the filtered total in one pass; a page past the end counts apart
  const rows = await w.query<Row>(
    labelled(
      "dashboard.activity_page",
      sql`SELECT kind, transaction_id, transfer_id, timestamp_ms, direction, counterparty, asset_type, token_id,
        token_symbol, token_name, amount, amount_raw, status, confirmed, contract_type, count(*) OVER () AS total
      FROM (${mine}) a WHERE ${where} ORDER BY ${order} NULLS LAST, transaction_id, transfer_id
      LIMIT ${f.pageSize} OFFSET ${(f.page - 1) * f.pageSize}`,
    ),
  );
  const [n] = rows.length
    ? [{ n: String(rows[0].total) }]
    : await w.query<{ n: string }>(
        labelled("dashboard.activity_count", sql`SELECT count(*) AS n FROM (${mine}) a WHERE ${where}`),
      );
  return {
    total: Number(n.n),
    page: f.page,
    page_size: f.pageSize,
    rows: rows.map(({ total: _, ...r }) => ({
      ...r,
      time: iso(r.timestamp_ms),
      imitates: r.token_id ? imitates(r.token_id, r.token_symbol, r.token_name) : null,
    })),
  };
}

/** The health page: the same report as `tronmon status` (reports/status.ts). */
export async function healthPage(w: Warehouse, nowMs: number) {
  const { wallets: _, verify: __, ...page } = await statusReport(w, nowMs, { runs: 30, walletCounts: false });
  return page;
}

/** Changes when anything a page shows may have changed: the cache key of computed pages. */
export const dataVersion = (w: Warehouse) =>
  w.query(
    labelled(
      "dashboard.data_version",
      sql`SELECT (SELECT max(updated_at) FROM sync_cursors) AS c, (SELECT max(updated_at) FROM alerts) AS a,
    (SELECT count(*) FROM anomalies) AS n, (SELECT count(*) FROM alerts) AS an, (SELECT max(started_at) FROM runs) AS r,
    (SELECT count(*) FROM wallets) AS w`,
    ),
  );

/** The last run that ended (the pages poll it to refresh after a cycle). */
export const lastFinishedRun = async (w: Warehouse) =>
  (
    await w.query(
      labelled(
        "dashboard.last_run",
        sql`SELECT run_id, status FROM runs WHERE status <> 'running' ORDER BY started_at DESC LIMIT 1`,
      ),
    )
  )[0] ?? null;

export const isWatched = async (w: Warehouse, address: string) =>
  (await w.query(labelled("dashboard.is_watched", sql`SELECT 1 FROM wallets WHERE address = ${address}`))).length > 0;

/** The newest stored activity of any watched wallet (ms; null: none yet). */
export async function newestActivityMs(w: Warehouse): Promise<number | null> {
  // from wallet_history when current: only its newest day's row groups are read
  const q = (await rollupCurrent(w))
    ? sql`SELECT max(timestamp_ms) AS ms FROM wallet_history WHERE day_ms >= (SELECT max(day_ms) FROM wallet_history)`
    : sql`SELECT max(timestamp_ms) AS ms FROM (${walletTransfers({ select: raw("t.timestamp_ms") })}
        UNION ALL ${walletTransactions({ select: raw("x.timestamp_ms") })}) a`;
  const [r] = await w.query<{ ms: string | null }>(labelled("dashboard.newest_activity", q));
  return r?.ms === null || r?.ms === undefined ? null : Number(r.ms);
}

export type FeedFilter = {
  min_severity: string;
  wallet?: string;
  type?: string;
  from?: number;
  to?: number;
  limit: number;
};

/**
 * The analyst's feed: anomalies grouped by wallet x type x UTC day (of the activity), with how many, the highest
 * severity, the largest example and how many are reviewed; newest days first. The example is the most severe
 * finding, then the largest amount in token units (exact decimal order: integer digits, then the digits).
 */
export async function anomalyFeed(w: Warehouse, f: FeedFilter) {
  const when = raw("COALESCE(occurred_at_ms, detected_at_ms)");
  const where = given([
    [f.min_severity, (v: string) => atLeast(v)],
    [f.wallet, (v: string) => sql`wallet = ${v}`],
    [f.type, (v: string) => sql`anomaly_type = ${v}`],
    [f.from, (v: number) => sql`${when} >= ${v}`],
    [f.to, (v: number) => sql`${when} <= ${v}`],
  ]);
  const rank = raw("CASE severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END");
  const rows = await w.query<Row>(
    labelled(
      "dashboard.anomaly_feed",
      sql`WITH a AS (
        SELECT wallet, anomaly_type, severity, amount, amount_raw, token_symbol, reason, reviewed_at_ms, reviewed_by,
          ${raw(utcDaySql("COALESCE(occurred_at_ms, detected_at_ms)"))} AS day_ms,
          row_number() OVER (PARTITION BY wallet, anomaly_type, ${raw(utcDaySql("COALESCE(occurred_at_ms, detected_at_ms)"))}
            ORDER BY ${rank} DESC, length(split_part(COALESCE(amount, ''), '.', 1)) DESC, amount DESC, anomaly_id) AS pick
        FROM anomalies WHERE ${where}
      )
      SELECT a.wallet, a.anomaly_type, a.day_ms, count(*) AS n, max(${rank}) AS severity_rank,
        count(reviewed_at_ms) AS reviewed, max(reviewed_by) AS reviewed_by, max(reviewed_at_ms) AS reviewed_at_ms,
        max(CASE WHEN pick = 1 THEN reason END) AS example, max(l.label) AS label
      FROM a LEFT JOIN wallets l ON l.address = a.wallet GROUP BY a.wallet, a.anomaly_type, a.day_ms
      ORDER BY a.day_ms DESC, max(${rank}) DESC, count(*) DESC, a.wallet, a.anomaly_type LIMIT ${f.limit}`,
    ),
  );
  return rows.map((r) => ({
    wallet: r.wallet,
    label: r.label,
    type: r.anomaly_type,
    day: iso(r.day_ms)!.slice(0, 10),
    count: Number(r.n),
    severity: SEVERITIES[Number(r.severity_rank) - 1],
    reviewed: Number(r.reviewed),
    reviewed_by: r.reviewed_by,
    reviewed_at: iso(r.reviewed_at_ms),
    example: r.example,
  }));
}
