// Per-wallet metrics as SQL builders: `now` is an SQL expression (a literal for --now and tests, the
// dialect's clock for the views); `from` the activity rows to read. Only successful transfers count as value;
// volumes never mix tokens.
import { DAY_MS, SUMMABLE } from "../../model/time.ts";
import { join, raw, type Sql, sql } from "../sql.ts";

const summable = raw(SUMMABLE);

/** The original WALLET_METRICS_VIEW: observed_wallet, total_tx, distinct_tokens, last_tx, minutes_since_last_tx. */
export function walletMetricsSql(now: Sql): Sql {
  return sql`SELECT w.address AS observed_wallet, w.label,
      count(DISTINCT CASE WHEN a.status = 'success' THEN a.transaction_id END) AS total_tx,
      count(DISTINCT CASE WHEN a.status = 'failed' THEN a.transaction_id END) AS failed_tx,
      count(DISTINCT CASE WHEN a.status = 'success' THEN a.token_id END) AS distinct_tokens,
      max(CASE WHEN a.status = 'success' THEN a.timestamp_utc END) AS last_tx,
      max(CASE WHEN a.status = 'success' THEN a.timestamp_ms END) AS last_tx_ms,
      CAST(floor((${now} - max(CASE WHEN a.status = 'success' THEN a.timestamp_ms END)) / 60000.0) AS BIGINT) AS
        minutes_since_last_tx
    FROM wallets w LEFT JOIN wallet_activity a ON a.wallet = w.address
    GROUP BY w.address, w.label`;
}

/** Per wallet and token: counts and exact raw volumes over all time, 30 and 7 days. */
export function walletTokenMetricsSql(now: Sql, from: Sql = raw("wallet_activity")): Sql {
  const windows = [
    ["", null],
    ["_30d", 30],
    ["_7d", 7],
  ] as const;
  const cols = windows.flatMap(([suffix, days]) => {
    const inWindow =
      days === null
        ? raw("TRUE")
        : sql`timestamp_ms > ${now} - ${raw(String(days * DAY_MS))} AND timestamp_ms <= ${now}`;
    const s = raw(suffix);
    return [
      sql`count(CASE WHEN ${inWindow} THEN 1 END) AS transfers${s}`,
      sql`sum(CASE WHEN ${inWindow} AND direction = 'in' AND ${summable} THEN amount_num END) AS volume_in_raw${s}`,
      sql`sum(CASE WHEN ${inWindow} AND direction = 'out' AND ${summable} THEN amount_num END) AS volume_out_raw${s}`,
      sql`max(CASE WHEN ${inWindow} AND ${summable} THEN amount_num END) AS largest_raw${s}`,
      sql`count(DISTINCT CASE WHEN ${inWindow} THEN counterparty END) AS counterparties${s}`,
    ];
  });
  return sql`SELECT wallet, token_id, max(token_symbol) AS token_symbol, max(token_name) AS token_name, max(asset_type) AS asset_type,
    max(token_decimals) AS token_decimals,
      ${join(cols, ",\n      ")},
      count(CASE WHEN NOT (${summable}) THEN 1 END) AS oversized_amounts,
      min(timestamp_ms) AS first_seen_ms, max(timestamp_ms) AS last_seen_ms
    FROM ${from} a
    WHERE kind = 'transfer' AND status = 'success'
    GROUP BY wallet, token_id`;
}
