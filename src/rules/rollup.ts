// Per wallet × UTC day rollup for rule evaluation: distinct successful transactions (any/in/out) and exact
// in/out volumes per token. A transaction has one timestamp, so daily counts add up exactly over days.
// Loads record the days they touch in `activity_days` (same transaction as the rows); evaluation refreshes
// those days first. A window (now − period, now] then reads whole days from the rollup and only its two
// partial edge days from the base tables.
import { DAY_MS, SUMMABLE, utcDaySql } from "../model/time.ts";
import { labelled, raw, type Sql, sql } from "../warehouse/sql.ts";
import { activitySql } from "./sql.ts";
import type { Warehouse } from "../warehouse/types.ts";

/** Rows of the rollup for the days listed in activity_days. */
function rollupRowsSql(): string {
  return `SELECT wallet, day_ms, '*' AS bucket, count(*) AS tx_any, sum(is_in) AS tx_in, sum(is_out) AS tx_out,
        CAST(NULL AS DECIMAL(38,0)) AS vol_in, CAST(NULL AS DECIMAL(38,0)) AS vol_out
      FROM (SELECT wallet, tx, min(day_ms) AS day_ms, max(CASE WHEN direction = 'in' THEN 1 ELSE 0 END) AS is_in,
              max(CASE WHEN direction = 'out' THEN 1 ELSE 0 END) AS is_out
            FROM dirty_activity WHERE status = 'success' GROUP BY wallet, tx) per_tx
      GROUP BY wallet, day_ms
    UNION ALL
    SELECT wallet, day_ms, token_id, 0, 0, 0,
        sum(CASE WHEN direction = 'in' THEN amount_num END), sum(CASE WHEN direction = 'out' THEN amount_num END)
      FROM dirty_activity WHERE status = 'success' AND is_transfer = 1 AND direction IN ('in', 'out') AND ${SUMMABLE}
      GROUP BY wallet, day_ms, token_id`;
}

/** Rebuilds the rollup rows of the days in activity_days (between the first and the last of them, in ms). */
export function rollupInsertSql(fromMs: number, toMs: number): Sql {
  const day = raw(utcDaySql("a.timestamp_ms"));
  return labelled(
    "rules.rollup",
    sql`INSERT INTO wallet_daily (wallet, day_ms, bucket, tx_any, tx_in, tx_out, vol_in, vol_out)
      WITH dirty_activity AS (
        SELECT a.*, ${day} AS day_ms FROM (${activitySql(true, fromMs, toMs)}) a
        WHERE ${day} IN (SELECT day_ms FROM activity_days)
      )
      ${raw(rollupRowsSql())}`,
  );
}

export async function refreshRollup(w: Warehouse): Promise<number> {
  const [range] = await w.query<{ n: string; lo: string | null; hi: string | null }>(
    "SELECT count(*) AS n, min(day_ms) AS lo, max(day_ms) AS hi FROM activity_days",
  );
  if (Number(range.n) === 0) return 0;
  const lo = Number(range.lo);
  const hi = Number(range.hi) + DAY_MS;
  await w.transaction(async (q) => {
    await q("DELETE FROM wallet_daily WHERE day_ms IN (SELECT day_ms FROM activity_days)");
    await q(rollupInsertSql(lo, hi - 1));
    await q("DELETE FROM activity_days");
  });
  return Number(range.n);
}
