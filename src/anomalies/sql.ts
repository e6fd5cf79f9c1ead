// Anomaly detectors as SQL builders over `wallet_activity`. Each scores only the transfers loaded after
// the detector's watermark (`first_seen_at`), returns one row per finding, and never looks at failed
// transactions. Spam never makes an address a known counterparty.
import { DAY_MS } from "../model/time.ts";
import type { Dialect } from "../warehouse/types.ts";

export type DetectorQuery = { sql: string; params: unknown[] };
export type KnownToken = { tokenId: string; symbol: string; name: string };

/** A transfer that is spam: flagged risky by TronScan, a token of level 3/4, or a fake of a well-known token. */
export function spamCondition(alias: string, known: KnownToken[]): { sql: string; params: unknown[] } {
  const fake = fakeCondition(alias, known);
  // COALESCE: a NULL (unknown level, no symbol) must read as "not spam", never as NULL
  return {
    sql: `COALESCE(${alias}.risk OR ${alias}.token_level IN ('3', '4') OR ${fake.sql}, FALSE)`,
    params: fake.params,
  };
}

/** Symbol or name equal (case and spaces aside) to a well-known token's, on another contract. */
export function fakeCondition(alias: string, known: KnownToken[]): { sql: string; params: unknown[] } {
  if (!known.length) return { sql: "FALSE", params: [] };
  const params: unknown[] = [];
  const parts = known.map((k) => {
    params.push(k.symbol.toLowerCase(), k.name.toLowerCase(), k.tokenId);
    return `((lower(trim(${alias}.token_symbol)) = ? OR lower(trim(${alias}.token_name)) = ?) AND ${alias}.token_id <> ?)`;
  });
  return { sql: `COALESCE(${parts.join(" OR ")}, FALSE)`, params };
}

/**
 * Transfers loaded after the watermark, seen from each watched wallet they touch (the columns of
 * `wallet_activity`), read from `transfers` directly so that only new rows are scanned. Two placeholders:
 * the watermark, twice (see `cand`).
 */
const candidates = (d: Dialect) => {
  const side = (
    mine: "from" | "to",
  ) => `SELECT w.address AS wallet, t.transfer_id, t.transaction_id, t.timestamp_ms, t.asset_type, t.token_id,
      t.token_symbol, t.token_name, t.token_decimals, t.amount_raw, t.amount_num, t.amount, t.status, t.risk, t.token_level,
      CASE WHEN t.from_address = t.to_address THEN 'self' ELSE '${mine === "from" ? "out" : "in"}' END AS direction,
      ${mine === "from" ? "t.to_address" : "t.from_address"} AS counterparty
    FROM transfers t JOIN wallets w ON t.${mine}_address = w.address
    WHERE t.status = 'success' AND t.first_seen_at > ${d.msToTimestamp("?")}${mine === "to" ? " AND t.from_address <> w.address" : ""}`;
  return `SELECT * FROM (${side("from")} UNION ALL ${side("to")}) a WHERE TRUE`;
};
const cand = (watermarkMs: number) => [watermarkMs, watermarkMs];

/** Watched wallets' successful in/out transfers from a bound time on, straight from `transfers` (no view). */
function transfersFrom(): string {
  const cols = (
    side: "from" | "to",
  ) => `w.address AS wallet, t.transfer_id, t.transaction_id, t.token_id, t.token_symbol, t.token_decimals,
      t.amount, t.amount_raw, t.amount_num, t.timestamp_ms, '${side === "from" ? "out" : "in"}' AS direction`;
  const where =
    "t.status = 'success' AND t.amount_num IS NOT NULL AND t.from_address <> t.to_address AND t.timestamp_ms >= ?";
  return `SELECT ${cols("from")} FROM transfers t JOIN wallets w ON t.from_address = w.address WHERE ${where}
    UNION ALL SELECT ${cols("to")} FROM transfers t JOIN wallets w ON t.to_address = w.address WHERE ${where}`;
}

/**
 * Each new transfer against the same wallet's transfers of the same token and direction in the lookback
 * before it (strictly earlier timestamps, at most `lookbackDays` before): a range join computed for the
 * new rows only, so the cost grows with new rows × their keys' recent history, not with the history.
 */
export function largeTransactionSql(
  d: Dialect,
  args: { watermarkMs: number; historyFromMs: number; minSample: number; sigmas: number; lookbackDays: number },
): DetectorQuery {
  const lookback = args.lookbackDays * DAY_MS;
  return {
    sql: `WITH c AS (${candidates(d)} AND a.direction IN ('in', 'out') AND a.amount_num IS NOT NULL),
      keys AS (SELECT DISTINCT wallet, token_id, direction FROM c),
      hist AS (
        SELECT a.wallet, a.token_id, a.direction, a.timestamp_ms, CAST(a.amount_num AS DOUBLE) AS x
        FROM (${transfersFrom()}) a JOIN keys k ON k.wallet = a.wallet AND k.token_id = a.token_id AND k.direction = a.direction
      ),
      stats AS (
        SELECT c.transfer_id, c.wallet, count(*) AS sample, median(h.x) AS median, stddev_samp(h.x) AS stddev
        FROM c JOIN hist h ON h.wallet = c.wallet AND h.token_id = c.token_id AND h.direction = c.direction
          AND h.timestamp_ms < c.timestamp_ms AND h.timestamp_ms >= c.timestamp_ms - ${lookback}
        GROUP BY c.transfer_id, c.wallet
      )
      SELECT c.wallet, c.transfer_id, c.transaction_id, c.token_id, c.token_symbol, c.token_decimals, c.amount, c.amount_raw, c.timestamp_ms,
        c.direction, s.sample, s.median, s.stddev
      FROM c JOIN stats s ON s.transfer_id = c.transfer_id AND s.wallet = c.wallet
      WHERE s.sample >= ? AND CAST(c.amount_num AS DOUBLE) > s.median + ? * coalesce(s.stddev, 0)`,
    params: [...cand(args.watermarkMs), args.historyFromMs, args.historyFromMs, args.minSample, args.sigmas],
  };
}

/**
 * The same test as a window over the keys' whole scope: cheaper than the range join when most rows are
 * new (a first detection or a full re-score), where the join would pair every row with its history.
 */
export function largeTransactionWindowSql(
  d: Dialect,
  args: { watermarkMs: number; historyFromMs: number; minSample: number; sigmas: number; lookbackDays: number },
): DetectorQuery {
  const lookback = args.lookbackDays * DAY_MS;
  return {
    sql: `WITH c AS (${candidates(d)} AND a.direction IN ('in', 'out') AND a.amount_num IS NOT NULL),
      keys AS (SELECT DISTINCT wallet, token_id, direction FROM c),
      scope AS (
        SELECT a.*, a.transfer_id IN (SELECT transfer_id FROM c) AS is_new
        FROM (${transfersFrom()}) a JOIN keys k ON k.wallet = a.wallet AND k.token_id = a.token_id AND k.direction = a.direction
      ),
      stats AS (
        SELECT *, count(*) OVER w AS sample, median(CAST(amount_num AS DOUBLE)) OVER w AS median,
          stddev_samp(CAST(amount_num AS DOUBLE)) OVER w AS stddev
        FROM scope
        WINDOW w AS (PARTITION BY wallet, token_id, direction ORDER BY timestamp_ms RANGE BETWEEN ${lookback} PRECEDING AND 1 PRECEDING)
      )
      SELECT wallet, transfer_id, transaction_id, token_id, token_symbol, token_decimals, amount, amount_raw, timestamp_ms, direction, sample, median, stddev
      FROM stats WHERE is_new AND sample >= ? AND CAST(amount_num AS DOUBLE) > median + ? * coalesce(stddev, 0)`,
    params: [...cand(args.watermarkMs), args.historyFromMs, args.historyFromMs, args.minSample, args.sigmas],
  };
}

/** First-seen times per (wallet, counterparty) among the candidate rows `c` that are not spam. */
const pairsOf = (spamSql: string) => `SELECT c.wallet, c.counterparty, min(c.timestamp_ms) AS first_ms,
    min(CASE WHEN c.amount_raw <> '0' THEN c.timestamp_ms END) AS first_value_ms
  FROM c WHERE c.direction <> 'self' AND NOT ${spamSql} GROUP BY c.wallet, c.counterparty`;

/** New outgoing transfers to an address with no earlier non-spam transfer with this wallet, ever. */
export function newCounterpartySql(d: Dialect, args: { watermarkMs: number; known: KnownToken[] }): DetectorQuery {
  const spam = spamCondition("c", args.known);
  return {
    sql: `WITH c AS (${candidates(d)}),
      seen AS (
        SELECT p.wallet, p.counterparty, p.first_ms FROM counterparties p
        WHERE (p.wallet, p.counterparty) IN (SELECT wallet, counterparty FROM c WHERE direction = 'out')
        UNION ALL SELECT wallet, counterparty, first_ms FROM (${pairsOf(spam.sql)})
      ),
      first_seen AS (SELECT wallet, counterparty, min(first_ms) AS first_ms FROM seen GROUP BY wallet, counterparty)
      SELECT c.wallet, c.transfer_id, c.transaction_id, c.token_id, c.token_symbol, c.amount, c.amount_raw, c.timestamp_ms, c.counterparty
      FROM c LEFT JOIN first_seen f ON f.wallet = c.wallet AND f.counterparty = c.counterparty
      WHERE c.direction = 'out' AND (f.first_ms IS NULL OR f.first_ms >= c.timestamp_ms)`,
    params: [...cand(args.watermarkMs), ...spam.params],
  };
}

/** Adds the scored rows' pairs to `counterparties` (run in the transaction that moves the watermark). */
export function mergeCounterpartiesSql(d: Dialect, args: { watermarkMs: number; known: KnownToken[] }): DetectorQuery {
  const spam = spamCondition("c", args.known);
  return {
    sql: `MERGE INTO counterparties p USING (WITH c AS (${candidates(d)}) ${pairsOf(spam.sql)}) n
      ON p.wallet = n.wallet AND p.counterparty = n.counterparty
      WHEN MATCHED AND (n.first_ms < p.first_ms OR (n.first_value_ms IS NOT NULL AND (p.first_value_ms IS NULL OR n.first_value_ms < p.first_value_ms)))
        THEN UPDATE SET first_ms = least(p.first_ms, n.first_ms), first_value_ms = coalesce(least(p.first_value_ms, n.first_value_ms), n.first_value_ms, p.first_value_ms)
      WHEN NOT MATCHED THEN INSERT (wallet, counterparty, first_ms, first_value_ms) VALUES (n.wallet, n.counterparty, n.first_ms, n.first_value_ms)`,
    params: [...cand(args.watermarkMs), ...spam.params],
  };
}

/**
 * Watched wallets not yet in `counterparty_wallets` (new in the config): their pairs from the rows already
 * scored (loaded up to the watermark); newer rows come in through `mergeCounterpartiesSql`.
 */
export function backfillCounterpartiesSql(
  d: Dialect,
  args: { watermarkMs: number; known: KnownToken[] },
): DetectorQuery {
  const spam = spamCondition("c", args.known);
  const side = (
    mine: "from" | "to",
  ) => `SELECT w.address AS wallet, t.${mine === "from" ? "to" : "from"}_address AS counterparty, t.timestamp_ms, t.amount_raw,
      t.risk, t.token_level, t.token_symbol, t.token_name, t.token_id, 'x' AS direction
    FROM transfers t JOIN wallets w ON t.${mine}_address = w.address
    WHERE t.status = 'success' AND t.from_address <> t.to_address AND t.first_seen_at <= ${d.msToTimestamp("?")}
      AND w.address NOT IN (SELECT wallet FROM counterparty_wallets)`;
  return {
    sql: `MERGE INTO counterparties p USING (WITH c AS (${side("from")} UNION ALL ${side("to")}) ${pairsOf(spam.sql)}) n
      ON p.wallet = n.wallet AND p.counterparty = n.counterparty
      WHEN MATCHED THEN UPDATE SET first_ms = least(p.first_ms, n.first_ms), first_value_ms = coalesce(least(p.first_value_ms, n.first_value_ms), n.first_value_ms, p.first_value_ms)
      WHEN NOT MATCHED THEN INSERT (wallet, counterparty, first_ms, first_value_ms) VALUES (n.wallet, n.counterparty, n.first_ms, n.first_value_ms)`,
    params: [args.watermarkMs, args.watermarkMs, ...spam.params],
  };
}

export function fakeTokenSql(d: Dialect, args: { watermarkMs: number; known: KnownToken[] }): DetectorQuery {
  const fake = fakeCondition("c", args.known);
  return {
    sql: `WITH c AS (${candidates(d)})
      SELECT c.wallet, c.transfer_id, c.transaction_id, c.token_id, c.token_symbol, c.token_name, c.amount, c.amount_raw, c.timestamp_ms, c.direction
      FROM c WHERE ${fake.sql}`,
    params: [...cand(args.watermarkMs), ...fake.params],
  };
}

export function spamTokenSql(d: Dialect, args: { watermarkMs: number; known: KnownToken[] }): DetectorQuery {
  const spam = spamCondition("c", args.known);
  return {
    sql: `WITH c AS (${candidates(d)} AND a.asset_type IN ('trc10', 'trc20') AND a.direction = 'in')
      SELECT c.wallet, c.transfer_id, c.transaction_id, c.token_id, c.token_symbol, c.token_name, c.token_level, c.risk,
        c.amount, c.amount_raw, c.timestamp_ms
      FROM c WHERE ${spam.sql}`,
    params: [...cand(args.watermarkMs), ...spam.params],
  };
}

/**
 * Incoming zero or dust transfers from an address that is not a known counterparty but looks like one:
 * the same first `prefix` and last `suffix` characters as an address the wallet really transacts with.
 */
export function addressPoisoningSql(
  d: Dialect,
  args: {
    watermarkMs: number;
    prefix: number;
    suffix: number;
    dust: { tokenId: string; maxRaw: string }[];
    known: KnownToken[];
  },
): DetectorQuery {
  const spam = spamCondition("c", args.known);
  const dustParams: unknown[] = [];
  const dust = args.dust.map((x) => {
    dustParams.push(x.tokenId, x.maxRaw);
    return `(c.token_id = ? AND c.amount_num <= CAST(? AS DECIMAL(38,0)))`;
  });
  const isDust = `(c.amount_raw = '0'${dust.length ? ` OR ${dust.join(" OR ")}` : ""})`;
  return {
    sql: `WITH c AS (${candidates(d)}),
      known AS (
        SELECT p.wallet, p.counterparty FROM counterparties p
        WHERE p.first_value_ms IS NOT NULL AND p.wallet IN (SELECT wallet FROM c)
        UNION SELECT wallet, counterparty FROM (${pairsOf(spam.sql)}) WHERE first_value_ms IS NOT NULL
      )
      SELECT c.wallet, c.transfer_id, c.transaction_id, c.token_id, c.token_symbol, c.amount, c.amount_raw, c.timestamp_ms,
        c.counterparty AS lookalike, min(k.counterparty) AS imitated
      FROM c JOIN known k ON k.wallet = c.wallet AND k.counterparty <> c.counterparty
        AND left(k.counterparty, ?) = left(c.counterparty, ?) AND right(k.counterparty, ?) = right(c.counterparty, ?)
      WHERE c.direction = 'in' AND ${isDust} AND NOT EXISTS (SELECT 1 FROM known x WHERE x.wallet = c.wallet AND x.counterparty = c.counterparty)
      GROUP BY c.wallet, c.transfer_id, c.transaction_id, c.token_id, c.token_symbol, c.amount, c.amount_raw, c.timestamp_ms, c.counterparty`,
    params: [
      ...cand(args.watermarkMs),
      ...spam.params,
      args.prefix,
      args.prefix,
      args.suffix,
      args.suffix,
      ...dustParams,
    ],
  };
}

/** Wallets whose successful transactions in the 24 h before `now` exceed `factor` × their daily average over the 7 days before that. */
export function burstSql(args: { nowMs: number; factor: number; minCount: number }): DetectorQuery {
  const h24 = args.nowMs - DAY_MS;
  const d7 = h24 - 7 * DAY_MS;
  return {
    sql: `SELECT wallet, count(DISTINCT CASE WHEN timestamp_ms > ? THEN transaction_id END) AS last_24h,
        count(DISTINCT CASE WHEN timestamp_ms <= ? THEN transaction_id END) AS previous_7d
      FROM wallet_activity WHERE status = 'success' AND timestamp_ms > ? AND timestamp_ms <= ?
      GROUP BY wallet
      HAVING count(DISTINCT CASE WHEN timestamp_ms > ? THEN transaction_id END) >= ?
        AND count(DISTINCT CASE WHEN timestamp_ms > ? THEN transaction_id END) * 7.0 > ? * count(DISTINCT CASE WHEN timestamp_ms <= ? THEN transaction_id END)`,
    params: [h24, h24, d7, args.nowMs, h24, args.minCount, h24, args.factor, h24],
  };
}
