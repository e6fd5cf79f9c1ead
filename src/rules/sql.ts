// Threshold rules as SQL builders: one query per rule, returning the wallets whose value is above the
// threshold over the window (now - period, now]. Parameters are bound, never spliced.
import type { ThresholdRule } from "./types.ts";

const DAY_MS = 86_400_000;

export type RuleQuery = { sql: string; params: unknown[] };

const directionFilter = (d: ThresholdRule["direction"]) => (d === "in" ? "AND direction = 'in'" : d === "out" ? "AND direction = 'out'" : "");

/** value: successful transactions (count) or the exact raw sum of the rule's token (volume). */
export function ruleValuesSql(rule: ThresholdRule, nowMs: number, thresholdRaw: string): RuleQuery {
  const params: unknown[] = [nowMs - rule.periodDays * DAY_MS, nowMs];
  const walletFilter = rule.wallets?.length ? `AND wallet IN (${rule.wallets.map(() => "?").join(", ")})` : "";
  if (rule.wallets?.length) params.push(...rule.wallets);
  if (rule.kind === "count") {
    params.push(thresholdRaw);
    return {
      sql: `SELECT wallet, CAST(count(DISTINCT transaction_id) AS VARCHAR) AS value_raw FROM wallet_activity
        WHERE status = 'success' AND timestamp_ms > ? AND timestamp_ms <= ? ${walletFilter} ${directionFilter(rule.direction)}
        GROUP BY wallet HAVING count(DISTINCT transaction_id) > CAST(? AS DECIMAL(38,6))`,
      params,
    };
  }
  params.push(rule.tokenId, thresholdRaw);
  return {
    sql: `SELECT wallet, CAST(sum(amount_num) AS VARCHAR) AS value_raw FROM wallet_activity
      WHERE kind = 'transfer' AND status = 'success' AND timestamp_ms > ? AND timestamp_ms <= ? ${walletFilter}
        AND token_id = ? AND direction IN ('in', 'out') ${directionFilter(rule.direction)} AND length(amount_raw) <= 30
      GROUP BY wallet HAVING sum(amount_num) > CAST(? AS DECIMAL(38,0))`,
    params,
  };
}
