// The dashboard's figures read from the daily rollups (warehouse/activity/rollup.ts): whole days of a window from
// `watched_daily` / `wallet_daily`, its partial edge days from the base tables. Used when the rollups are
// current (nothing waits in activity_days); each gives the same answer as its counterpart over the base tables
// in queries.ts (test/rollup-equivalence.test.ts).
import { SUMMABLE, utcDaySql } from "../model/time.ts";
import { dayWindow, edgeActivity } from "../warehouse/activity/rollup.ts";
import { labelled, raw, type Sql, sql, type Labelled } from "../warehouse/sql.ts";

type Window = { fromMs: number; toMs: number };

const parts = (w: Window) => {
  const { firstDay, endDay, edges } = dayWindow(w.fromMs, w.toMs);
  return { whole: sql`day_ms >= ${firstDay} AND day_ms < ${endDay}`, edges: edgeActivity(edges) };
};

/** Each successful transfer of the edges once (a transfer between two watched wallets is seen from both). */
const EDGE_TRANSFERS = raw(`
    SELECT DISTINCT transfer_id, ${utcDaySql("timestamp_ms")} AS day_ms, token_id, token_symbol, token_name,
      token_decimals, amount_num, amount_raw
    FROM e WHERE status = 'success' AND is_transfer = 1`);

/** Distinct successful transactions touching any watched wallet. */
export const txCountSql = (w: Window): Sql => {
  const { whole, edges } = parts(w);
  return sql`(SELECT coalesce(sum(tx), 0) FROM watched_daily WHERE bucket = '*' AND ${whole})
    + (SELECT count(DISTINCT tx) FROM (${edges}) e WHERE status = 'success')`;
};

/** Per token: successful transfers touching watched wallets and their exact summable volume. */
export function tokenTotalsSql(w: Window): Labelled {
  const { whole, edges } = parts(w);
  return labelled(
    "dashboard.tokens",
    sql`WITH e AS (${edges})
    SELECT token_id, max(token_symbol) AS symbol, max(token_name) AS name, max(token_decimals) AS decimals,
        sum(transfers) AS transfers, CAST(sum(volume) AS VARCHAR) AS volume_raw
      FROM (
        SELECT bucket AS token_id, token_symbol, token_name, token_decimals, transfers, volume
        FROM watched_daily WHERE bucket <> '*' AND ${whole}
        UNION ALL
        SELECT token_id, max(token_symbol), max(token_name), max(token_decimals), count(*),
          sum(CASE WHEN ${raw(SUMMABLE)} THEN amount_num END)
        FROM (${EDGE_TRANSFERS}) t GROUP BY token_id
      ) p
      GROUP BY token_id ORDER BY sum(transfers) DESC, token_id LIMIT 50`,
  );
}

/** Per watched wallet: distinct successful transactions. */
export function walletTxSql(w: Window): Labelled {
  const { whole, edges } = parts(w);
  return labelled(
    "dashboard.activity_7d",
    sql`WITH e AS (${edges})
    SELECT w.address AS wallet, w.label, coalesce(sum(p.tx), 0) AS tx
      FROM wallets w LEFT JOIN (
        SELECT wallet, tx_any AS tx FROM wallet_daily WHERE bucket = '*' AND ${whole}
        UNION ALL
        SELECT wallet, count(DISTINCT tx) FROM e WHERE status = 'success' GROUP BY wallet
      ) p ON p.wallet = w.address
      GROUP BY w.address, w.label ORDER BY tx DESC, w.address LIMIT 20`,
  );
}

/** The five wallets with the largest in + out volume of one token (exact, raw units). */
export function topVolumeSql(w: Window, token: string): Labelled {
  const { whole, edges } = parts(w);
  return labelled(
    "dashboard.top_usdt",
    sql`WITH e AS (${edges})
    SELECT p.wallet, max(w.label) AS label, CAST(sum(p.v) AS VARCHAR) AS volume_raw
      FROM (
        SELECT wallet, coalesce(vol_in, 0) + coalesce(vol_out, 0) AS v FROM wallet_daily
        WHERE bucket = ${token} AND ${whole}
        UNION ALL
        SELECT wallet, amount_num FROM e
        WHERE status = 'success' AND is_transfer = 1 AND token_id = ${token} AND direction IN ('in', 'out')
          AND ${raw(SUMMABLE)}
      ) p JOIN wallets w ON w.address = p.wallet
      GROUP BY p.wallet ORDER BY sum(p.v) DESC, p.wallet LIMIT 5`,
  );
}

/** Per UTC day holding transfers: distinct transactions with a transfer, and one token's exact volume. */
export function dailyTotalsSql(w: Window, token: string): Labelled {
  const { whole, edges } = parts(w);
  return labelled(
    "dashboard.daily",
    sql`WITH e AS (${edges})
    SELECT day_ms AS day, sum(tx) AS tx, CAST(sum(volume) AS VARCHAR) AS usdt_raw
      FROM (
        SELECT day_ms, tx_transfers AS tx, CAST(NULL AS DECIMAL(38,0)) AS volume FROM watched_daily
        WHERE bucket = '*' AND tx_transfers > 0 AND ${whole}
        UNION ALL
        SELECT day_ms, 0, volume FROM watched_daily WHERE bucket = ${token} AND ${whole}
        UNION ALL
        SELECT ${raw(utcDaySql("timestamp_ms"))}, count(DISTINCT tx), NULL FROM e
        WHERE status = 'success' AND is_transfer = 1 GROUP BY 1
        UNION ALL
        SELECT day_ms, 0, sum(amount_num) FROM (${EDGE_TRANSFERS}) t
        WHERE token_id = ${token} AND ${raw(SUMMABLE)} GROUP BY day_ms
      ) p
      GROUP BY day_ms ORDER BY day_ms`,
  );
}

/** One wallet's distinct successful transactions per UTC day: any, in, out. */
export function walletDaysSql(w: Window, wallet: string): Labelled {
  const { whole, edges } = parts(w);
  return labelled(
    "dashboard.wallet_daily",
    sql`WITH e AS (${edges})
    SELECT day_ms AS day, sum(tx_any) AS tx, sum(tx_in) AS tx_in, sum(tx_out) AS tx_out
      FROM (
        SELECT day_ms, tx_any, tx_in, tx_out FROM wallet_daily WHERE wallet = ${wallet} AND bucket = '*' AND ${whole}
        UNION ALL
        SELECT min(${raw(utcDaySql("timestamp_ms"))}), 1, max(CASE WHEN direction = 'in' THEN 1 ELSE 0 END),
          max(CASE WHEN direction = 'out' THEN 1 ELSE 0 END)
        FROM e WHERE status = 'success' AND wallet = ${wallet} GROUP BY tx
      ) p
      GROUP BY day_ms ORDER BY day_ms`,
  );
}

/** One wallet's transfers as wallet_activity rows (the columns its metrics and counterparties read). */
export const walletTransferRows = (wallet: string): Sql =>
  sql`SELECT wallet, 'transfer' AS kind, tx AS transaction_id, transfer_id, timestamp_ms, direction, counterparty,
      asset_type, token_id, token_symbol, token_name, token_decimals, amount_num, amount_raw, status
    FROM wallet_history WHERE wallet = ${wallet} AND is_transfer = 1`;

/**
 * One wallet's activity as wallet_activity rows, from wallet_history: its transfers, and its transactions that
 * moved nothing for it.
 */
export const walletActivityRows = (wallet: string): Sql =>
  sql`SELECT wallet, CASE WHEN is_transfer = 1 THEN 'transfer' ELSE 'transaction' END AS kind, tx AS transaction_id,
      transfer_id, block, timestamp_utc, timestamp_ms, direction, counterparty, asset_type, token_id, token_symbol,
      token_name, token_decimals, amount_raw, amount_num, amount, status, confirmed, contract_type, risk, token_level
    FROM wallet_history h
    WHERE wallet = ${wallet} AND (is_transfer = 1 OR NOT EXISTS (
      SELECT 1 FROM wallet_history f WHERE f.wallet = ${wallet} AND f.tx = h.tx AND f.is_transfer = 1))`;
