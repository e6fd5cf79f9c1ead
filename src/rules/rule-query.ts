// Threshold rules as one SQL query: a single pass over the activity of the watched wallets in the
// widest window, with one conditional aggregate per rule (count of distinct successful transactions,
// or the exact raw sum of one token). Thresholds are compared in TypeScript, exactly.
// Every value is a bound parameter (the sql tag puts each where it appears).
import { DAY_MS, SUMMABLE, utcDay } from "../model/time.ts";
import { and, join, type Labelled, labelled, list, raw, type Sql, sql } from "../warehouse/sql.ts";
import type { ThresholdRule } from "../model/alerts.ts";
import { edgeActivity } from "../warehouse/activity/rollup.ts";

export type RuleQuery = { query: Labelled; columns: string[] };

const onlyWallets = (r: ThresholdRule): Sql[] => (r.wallets?.length ? [sql`wallet IN (${list(r.wallets)})`] : []);

/** A rule's aggregate over the whole days of its window, from the rollup. */
function wholeDays(r: ThresholdRule, i: number, firstFullDay: number, today: number): Sql {
  const days = [sql`day_ms >= ${firstFullDay} AND day_ms < ${today}`, ...onlyWallets(r)];
  if (r.kind === "count")
    return sql`sum(CASE WHEN bucket = '*' AND ${and(days)} THEN tx_${raw(r.direction)} END) AS r${raw(String(i))}`;
  const v = { in: "vol_in", out: "vol_out", any: "COALESCE(vol_in, 0) + COALESCE(vol_out, 0)" }[r.direction];
  return sql`sum(CASE WHEN ${and([...days, sql`bucket = ${r.tokenId}`])} THEN ${raw(v)} END) AS r${raw(String(i))}`;
}

/** A rule's aggregate per transaction over the partial days at the edges of its window, from wallet_history. */
function edgeDays(r: ThresholdRule, i: number, w: { start: number; firstFullDay: number }, today: number, now: number) {
  const conds = [
    raw("status = 'success'"),
    sql`((timestamp_ms > ${w.start} AND timestamp_ms < ${w.firstFullDay}) OR (timestamp_ms >= ${today} AND
      timestamp_ms <= ${now}))`,
  ];
  if (r.direction !== "any") conds.push(sql`direction = ${r.direction}`);
  if (r.kind === "volume")
    conds.push(raw("is_transfer = 1 AND direction IN ('in', 'out')"), sql`token_id = ${r.tokenId}`, raw(SUMMABLE));
  const cond = and([...conds, ...onlyWallets(r)]);
  return r.kind === "count"
    ? sql`max(CASE WHEN ${cond} THEN 1 ELSE 0 END) AS r${raw(String(i))}`
    : sql`sum(CASE WHEN ${cond} THEN amount_num END) AS r${raw(String(i))}`;
}

/**
 * All rules in one query. Whole days inside a rule's window come from the `wallet_daily` rollup; the two
 * partial days at its edges, (now − period, end of that day) and [start of today, now], from
 * wallet_history, per transaction (a flag per count rule, a partial sum per volume rule).
 */
export function rulesSql(rules: ThresholdRule[], nowMs: number): RuleQuery {
  const today = utcDay(nowMs);
  const windows = rules.map((r) => {
    const start = nowMs - r.periodDays * DAY_MS;
    return { start, firstFullDay: utcDay(start) + DAY_MS };
  });
  const columns = rules.map((_, i) => `r${i}`);
  const firstDay = Math.min(...windows.map((w) => w.firstFullDay));
  const middle = join(rules.map((r, i) => wholeDays(r, i, windows[i].firstFullDay, today)));
  const edge = join(rules.map((r, i) => edgeDays(r, i, windows[i], today, nowMs)));
  const withTransactions = rules.some((r) => r.kind === "count");
  const ranges = new Map<string, [number, number]>();
  for (const { start, firstFullDay } of windows) ranges.set(`${start}`, [start + 1, Math.min(firstFullDay - 1, nowMs)]);
  ranges.set("today", [Math.max(today, Math.min(...windows.map((w) => w.start)) + 1), nowMs]);
  // the edges from wallet_history (refreshed before evaluation): only their days' row groups are read
  const edgeRows = edgeActivity([...ranges.values()]);
  const edges = withTransactions ? edgeRows : sql`SELECT * FROM (${edgeRows}) h WHERE is_transfer = 1`;
  const sums = raw(columns.map((c) => `sum(${c}) AS ${c}`).join(", "));
  const totals = raw(columns.map((c) => `CAST(sum(${c}) AS VARCHAR) AS ${c}`).join(", "));
  const query = sql`SELECT wallet, ${totals}
    FROM (
      SELECT wallet, ${middle}
      FROM wallet_daily WHERE day_ms >= ${firstDay} AND day_ms < ${today}
      GROUP BY wallet
      UNION ALL
      SELECT wallet, ${sums}
      FROM (
        SELECT wallet, tx, ${edge}
        FROM (${edges}) a
        GROUP BY wallet, tx
      ) per_tx
      GROUP BY wallet
    ) parts
    GROUP BY wallet`;
  return { query: labelled("rules.evaluate", query), columns };
}
