// Daily rollups of the watched wallets' activity, per UTC day. A transaction has one timestamp, so daily counts
// of distinct transactions add up exactly over days.
// - wallet_daily: per wallet × day, distinct successful transactions (any/in/out) and the first one's time
//   (bucket '*'); exact in/out volumes per token (bucket = token id). Read by the rules, burst detection and
//   the dashboard.
// - watched_daily: per day over all watched wallets, each transaction and transfer once: distinct transactions
//   (bucket '*'); transfers and exact volume per token. Read by the dashboard.
// - wallet_history: every watched wallet's side of each transfer and transaction (the rows of `activitySql`),
//   narrow and written day by day, so that a time range reads only its days' row groups. The two rollups above
//   are built from it, windows read their partial edge days from it, and large_transaction compares new
//   transfers with it, none of them scanning the transfers table.
// Loads record the days they touch in `activity_days` (same transaction as the rows); a refresh rebuilds those
// days of wallet_history from the base tables, then of the rollups from wallet_history. A window (from, to]
// reads whole days from a rollup and its partial edge days from wallet_history (`dayWindow`, `edgeActivity`).
import { DAY_MS, SUMMABLE, utcDay, utcDaySql } from "../../model/time.ts";
import { join, labelled, list, raw, type Sql, sql, type Labelled } from "../sql.ts";
import { activitySql } from "./history.ts";
import type { Warehouse } from "../types.ts";

/** Rows of wallet_daily for the days of `dirty_activity`. */
const WALLET_ROWS = `SELECT wallet, day_ms, '*' AS bucket, count(*) AS tx_any, sum(is_in) AS tx_in, sum(is_out) AS tx_out,
        CAST(NULL AS DECIMAL(38,0)) AS vol_in, CAST(NULL AS DECIMAL(38,0)) AS vol_out, min(first_ms) AS first_ms
      FROM (SELECT wallet, tx, min(day_ms) AS day_ms, max(CASE WHEN direction = 'in' THEN 1 ELSE 0 END) AS is_in,
              max(CASE WHEN direction = 'out' THEN 1 ELSE 0 END) AS is_out, min(timestamp_ms) AS first_ms
            FROM dirty_activity WHERE status = 'success' GROUP BY wallet, tx) per_tx
      GROUP BY wallet, day_ms
    UNION ALL
    SELECT wallet, day_ms, token_id, 0, 0, 0,
        sum(CASE WHEN direction = 'in' THEN amount_num END), sum(CASE WHEN direction = 'out' THEN amount_num END), NULL
      FROM dirty_activity WHERE status = 'success' AND is_transfer = 1 AND direction IN ('in', 'out') AND ${SUMMABLE}
      GROUP BY wallet, day_ms, token_id`;

/** Rows of watched_daily for the days of `dirty_activity`: each transaction and transfer once. */
const WATCHED_ROWS = `SELECT day_ms, '*' AS bucket, count(DISTINCT tx) AS tx,
        count(DISTINCT CASE WHEN is_transfer = 1 THEN tx END) AS tx_transfers, 0 AS transfers,
        CAST(NULL AS DECIMAL(38,0)) AS volume, CAST(NULL AS VARCHAR) AS token_symbol,
        CAST(NULL AS VARCHAR) AS token_name, CAST(NULL AS INTEGER) AS token_decimals
      FROM dirty_activity WHERE status = 'success' GROUP BY day_ms
    UNION ALL
    SELECT day_ms, token_id, 0, 0, count(*), sum(CASE WHEN ${SUMMABLE} THEN amount_num END), max(token_symbol),
        max(token_name), max(token_decimals)
      FROM (SELECT DISTINCT transfer_id, day_ms, token_id, token_symbol, token_name, token_decimals, amount_num,
              amount_raw
            FROM dirty_activity WHERE status = 'success' AND is_transfer = 1) t
      GROUP BY day_ms, token_id`;

export const HISTORY_COLUMNS = `wallet, day_ms, timestamp_ms, tx, transfer_id, is_transfer, direction, counterparty,
  status, asset_type, token_id, token_symbol, token_name, token_decimals, amount_num, amount_raw, amount, block,
  timestamp_utc, confirmed, contract_type, risk, token_level`;

/** Rebuilds wallet_history's rows for the days in activity_days between two times (ms, inclusive). */
export function historyInsertSql(fromMs: number, toMs: number): Labelled {
  const day = raw(utcDaySql("a.timestamp_ms"));
  return labelled(
    "rollup.wallet_history",
    sql`INSERT INTO wallet_history (${raw(HISTORY_COLUMNS)})
      SELECT ${raw(HISTORY_COLUMNS)} FROM (
        SELECT a.*, ${day} AS day_ms FROM (${activitySql(true, fromMs, toMs)}) a
        WHERE ${day} IN (SELECT day_ms FROM activity_days)
      ) h
      ORDER BY day_ms`,
  );
}

const ROLLUPS = {
  wallet_daily: ["wallet, day_ms, bucket, tx_any, tx_in, tx_out, vol_in, vol_out, first_ms", WALLET_ROWS],
  watched_daily: [
    "day_ms, bucket, tx, tx_transfers, transfers, volume, token_symbol, token_name, token_decimals",
    WATCHED_ROWS,
  ],
} as const;

/** Rebuilds one rollup's rows for the days in activity_days, from wallet_history. */
export function rollupInsertSql(table: keyof typeof ROLLUPS): Labelled {
  const [columns, rows] = ROLLUPS[table];
  return labelled(
    `rollup.${table}`,
    sql`INSERT INTO ${raw(table)} (${raw(columns)})
      WITH dirty_activity AS (SELECT * FROM wallet_history WHERE day_ms IN (SELECT day_ms FROM activity_days))
      ${raw(rows)}`,
  );
}

/** Rebuilds the rollups' rows of the days in activity_days, then empties it: one transaction. */
export async function refreshRollup(w: Warehouse): Promise<number> {
  const marked = await w.query<{ day_ms: string }>(
    labelled("rollup.days", sql`SELECT day_ms FROM activity_days ORDER BY day_ms`),
  );
  const days = marked.map((r) => Number(r.day_ms));
  if (!days.length) return 0;
  await w.transaction(async (q) => {
    const marked = sql`day_ms IN (SELECT day_ms FROM activity_days)`;
    await q(labelled("rollup.clear_history", sql`DELETE FROM wallet_history WHERE ${marked}`));
    // a week of days per statement: each sorts in memory (a whole rebuild after a backfill at once would spill)
    for (let i = 0; i < days.length; i += HISTORY_DAYS_PER_INSERT) {
      const part = days.slice(i, i + HISTORY_DAYS_PER_INSERT);
      await q(historyInsertSql(part[0], part[part.length - 1] + DAY_MS - 1));
    }
    for (const table of Object.keys(ROLLUPS) as (keyof typeof ROLLUPS)[]) {
      await q(labelled(`rollup.clear_${table}`, sql`DELETE FROM ${raw(table)} WHERE ${marked}`));
      await q(rollupInsertSql(table));
    }
    await q(labelled("rollup.done", sql`DELETE FROM activity_days`));
  });
  return days.length;
}

const HISTORY_DAYS_PER_INSERT = 7;

/** Whether every loaded day is rolled up (nothing waits in activity_days). */
export async function rollupCurrent(w: Warehouse): Promise<boolean> {
  const [r] = await w.query<{ n: string }>(labelled("rollup.pending", sql`SELECT count(*) AS n FROM activity_days`));
  return Number(r.n) === 0;
}

/**
 * A window (fromMs, toMs] as the whole UTC days inside it, [firstDay, endDay), read from a rollup, and the
 * inclusive millisecond ranges of its partial edges, read from the base tables (none when empty).
 */
export function dayWindow(fromMs: number, toMs: number) {
  const firstDay = utcDay(fromMs) + DAY_MS;
  const endDay = Math.max(firstDay, utcDay(toMs + 1));
  const edges: [number, number][] =
    firstDay >= endDay
      ? [[fromMs + 1, toMs]]
      : [
          [fromMs + 1, firstDay - 1],
          [endDay, toMs],
        ];
  return { firstDay, endDay, edges: edges.filter(([lo, hi]) => lo <= hi) };
}

/** The watched wallets' activity (the rows of activitySql) in a window's edges, from wallet_history. */
export function edgeActivity(edges: [number, number][]): Sql {
  // one SELECT per range (disjoint): each filter alone lets the scan skip the other days' row groups
  const parts = edges.map(
    ([lo, hi]) => sql`SELECT * FROM wallet_history
      WHERE day_ms >= ${utcDay(lo)} AND day_ms <= ${utcDay(hi)} AND timestamp_ms >= ${lo} AND timestamp_ms <= ${hi}`,
  );
  return parts.length ? join(parts, "\n    UNION ALL ") : sql`SELECT * FROM wallet_history WHERE FALSE`;
}

/** Per watched wallet (of `among`, when given): distinct successful transactions in (fromMs, toMs], whole days from the rollup. */
export function txPerWalletSql(fromMs: number, toMs: number, among?: readonly string[]): Sql {
  const { firstDay, endDay, edges } = dayWindow(fromMs, toMs);
  const only = among ? sql`wallet IN (${list(among)})` : raw("TRUE");
  return sql`SELECT wallet, sum(tx) AS tx FROM (
      SELECT wallet, tx_any AS tx FROM wallet_daily
      WHERE bucket = '*' AND day_ms >= ${firstDay} AND day_ms < ${endDay} AND ${only}
      UNION ALL
      SELECT wallet, count(DISTINCT tx) FROM (${edgeActivity(edges)}) e
      WHERE status = 'success' AND ${only} GROUP BY wallet
    ) p GROUP BY wallet`;
}
