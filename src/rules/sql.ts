// Threshold rules as one SQL query: a single pass over the activity of the watched wallets in the
// widest window, with one conditional aggregate per rule (count of distinct successful transactions,
// or the exact raw sum of one token). Thresholds are compared in TypeScript, exactly.
// Every value is a bound parameter.
import type { ThresholdRule } from "./types.ts";

const DAY_MS = 86_400_000;

export type RuleQuery = { sql: string; params: unknown[]; columns: string[] };

/** Amounts past 30 digits (scam airdrops) are left out of sums so that no sum can overflow DECIMAL(38,0). */
const SUMMABLE = "length(amount_raw) <= 30";

function activitySql(withTransactions: boolean): string {
  const dir = (from: string, to: string) => `CASE WHEN ${from} = w.address AND ${to} = w.address THEN 'self' WHEN ${from} = w.address THEN 'out' ELSE 'in' END`;
  const transferCols = `w.address AS wallet, t.transaction_id AS tx, t.status, ${dir("t.from_address", "t.to_address")} AS direction,
      t.token_id, t.amount_num, t.amount_raw, t.timestamp_ms, 1 AS is_transfer`;
  const txCols = `w.address AS wallet, x.hash AS tx, x.status, ${dir("x.owner_address", "x.to_address")} AS direction,
      NULL AS token_id, NULL AS amount_num, NULL AS amount_raw, x.timestamp_ms, 0 AS is_transfer`;
  const window = (a: string) => `${a}.timestamp_ms > ? AND ${a}.timestamp_ms <= ?`;
  const parts = [
    `SELECT ${transferCols} FROM transfers t JOIN wallets w ON t.from_address = w.address WHERE ${window("t")}`,
    `SELECT ${transferCols} FROM transfers t JOIN wallets w ON t.to_address = w.address AND t.from_address <> w.address WHERE ${window("t")}`,
  ];
  if (withTransactions) parts.push(
    `SELECT ${txCols} FROM transactions x JOIN wallets w ON x.owner_address = w.address WHERE ${window("x")}`,
    `SELECT ${txCols} FROM transactions x JOIN wallets w ON x.to_address = w.address AND (x.owner_address IS NULL OR x.owner_address <> w.address) WHERE ${window("x")}`,
  );
  return parts.join("\n    UNION ALL\n    ");
}

export function rulesSql(rules: ThresholdRule[], nowMs: number): RuleQuery {
  // Two levels, no DISTINCT: per (wallet, transaction) a flag per count rule and a partial sum per volume
  // rule, then per wallet the sums of those. A transaction has one timestamp, so it is in a window or not.
  const params: unknown[] = [];
  const columns: string[] = [];
  const perTx = rules.map((r, i) => {
    const conds = ["status = 'success'", "timestamp_ms > ?"];
    params.push(nowMs - r.periodDays * DAY_MS);
    if (r.direction !== "any") {
      conds.push("direction = ?");
      params.push(r.direction);
    }
    if (r.wallets?.length) {
      conds.push(`wallet IN (${r.wallets.map(() => "?").join(", ")})`);
      params.push(...r.wallets);
    }
    columns.push(`r${i}`);
    if (r.kind === "count") return `max(CASE WHEN ${conds.join(" AND ")} THEN 1 ELSE 0 END) AS r${i}`;
    conds.push("is_transfer = 1", "direction IN ('in', 'out')", "token_id = ?", SUMMABLE);
    params.push(r.tokenId);
    return `sum(CASE WHEN ${conds.join(" AND ")} THEN amount_num END) AS r${i}`;
  });
  const widest = Math.max(...rules.map((r) => r.periodDays));
  const withTransactions = rules.some((r) => r.kind === "count");
  for (let i = 0; i < (withTransactions ? 4 : 2); i++) params.push(nowMs - widest * DAY_MS, nowMs);
  return {
    sql: `SELECT wallet, ${columns.map((c) => `CAST(sum(${c}) AS VARCHAR) AS ${c}`).join(", ")}
    FROM (
      SELECT wallet, tx, ${perTx.join(",\n        ")}
      FROM (
      ${activitySql(withTransactions)}
      ) a
      GROUP BY wallet, tx
    ) per_tx
    GROUP BY wallet`,
    params,
    columns,
  };
}
