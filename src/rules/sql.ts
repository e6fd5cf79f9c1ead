// Threshold rules as one SQL query: a single pass over the activity of the watched wallets in the
// widest window, with one conditional aggregate per rule (count of distinct successful transactions,
// or the exact raw sum of one token). Thresholds are compared in TypeScript, exactly.
// Every value is a bound parameter.
import { DAY_MS, SUMMABLE } from "../model/time.ts";
import type { ThresholdRule } from "./types.ts";

export type RuleQuery = { sql: string; params: unknown[]; columns: string[] };

/** The watched wallets' transfers (and, for counts, their transactions) between two bound times (inclusive). */
export function activitySql(withTransactions: boolean): string {
  const dir = (from: string, to: string) =>
    `CASE WHEN ${from} = w.address AND ${to} = w.address THEN 'self' WHEN ${from} = w.address THEN 'out' ELSE 'in' END`;
  const transferCols = `w.address AS wallet, t.transaction_id AS tx, t.status, ${dir("t.from_address", "t.to_address")} AS direction,
      t.token_id, t.amount_num, t.amount_raw, t.timestamp_ms, 1 AS is_transfer`;
  const txCols = `w.address AS wallet, x.hash AS tx, x.status, ${dir("x.owner_address", "x.to_address")} AS direction,
      NULL AS token_id, NULL AS amount_num, NULL AS amount_raw, x.timestamp_ms, 0 AS is_transfer`;
  const window = (a: string) => `${a}.timestamp_ms >= ? AND ${a}.timestamp_ms <= ?`;
  const parts = [
    `SELECT ${transferCols} FROM transfers t JOIN wallets w ON t.from_address = w.address WHERE ${window("t")}`,
    `SELECT ${transferCols} FROM transfers t JOIN wallets w ON t.to_address = w.address AND t.from_address <> w.address WHERE ${window("t")}`,
  ];
  if (withTransactions)
    parts.push(
      `SELECT ${txCols} FROM transactions x JOIN wallets w ON x.owner_address = w.address WHERE ${window("x")}`,
      `SELECT ${txCols} FROM transactions x JOIN wallets w ON x.to_address = w.address AND (x.owner_address IS NULL OR x.owner_address <> w.address) WHERE ${window("x")}`,
    );
  return parts.join("\n    UNION ALL\n    ");
}

/**
 * All rules in one query. Whole days inside a rule's window come from the `wallet_daily` rollup; the two
 * partial days at its edges, (now − period, end of that day) and [start of today, now], from the base
 * tables, per transaction (a flag per count rule, a partial sum per volume rule).
 */
export function rulesSql(rules: ThresholdRule[], nowMs: number): RuleQuery {
  const dn = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const windows = rules.map((r) => {
    const start = nowMs - r.periodDays * DAY_MS;
    const d0 = Math.floor(start / DAY_MS) * DAY_MS;
    return { start, firstFullDay: d0 + DAY_MS };
  });
  const columns = rules.map((_, i) => `r${i}`);
  const walletCond = (r: ThresholdRule, params: unknown[]) => {
    if (!r.wallets?.length) return "";
    params.push(...r.wallets);
    return ` AND wallet IN (${r.wallets.map(() => "?").join(", ")})`;
  };

  // whole days from the rollup
  const middleParams: unknown[] = [];
  const middle = rules.map((r, i) => {
    const { firstFullDay } = windows[i];
    middleParams.push(firstFullDay, dn);
    let cond = "day_ms >= ? AND day_ms < ?" + walletCond(r, middleParams);
    if (r.kind === "count") return `sum(CASE WHEN bucket = '*' AND ${cond} THEN tx_${r.direction} END) AS r${i}`;
    cond += " AND bucket = ?";
    middleParams.push(r.tokenId);
    const v =
      r.direction === "in"
        ? "vol_in"
        : r.direction === "out"
          ? "vol_out"
          : "COALESCE(vol_in, 0) + COALESCE(vol_out, 0)";
    return `sum(CASE WHEN ${cond} THEN ${v} END) AS r${i}`;
  });
  middleParams.push(Math.min(...windows.map((w) => w.firstFullDay)), dn);

  // the partial edge days from the base tables
  const edgeParams: unknown[] = [];
  const edge = rules.map((r, i) => {
    const { start, firstFullDay } = windows[i];
    const conds = [
      "status = 'success'",
      "((timestamp_ms > ? AND timestamp_ms < ?) OR (timestamp_ms >= ? AND timestamp_ms <= ?))",
    ];
    edgeParams.push(start, firstFullDay, dn, nowMs);
    if (r.direction !== "any") {
      conds.push("direction = ?");
      edgeParams.push(r.direction);
    }
    if (r.kind === "volume") {
      conds.push("is_transfer = 1", "direction IN ('in', 'out')", "token_id = ?", SUMMABLE);
      edgeParams.push(r.tokenId);
    }
    const cond = conds.join(" AND ") + walletCond(r, edgeParams); // parameters in the order they appear
    return r.kind === "count"
      ? `max(CASE WHEN ${cond} THEN 1 ELSE 0 END) AS r${i}`
      : `sum(CASE WHEN ${cond} THEN amount_num END) AS r${i}`;
  });
  const withTransactions = rules.some((r) => r.kind === "count");
  const ranges = new Map<string, [number, number]>();
  for (const { start, firstFullDay } of windows) ranges.set(`${start}`, [start + 1, Math.min(firstFullDay - 1, nowMs)]);
  ranges.set("today", [Math.max(dn, Math.min(...windows.map((w) => w.start)) + 1), nowMs]);
  const edgeSources = [...ranges.values()].map(([lo, hi]) => {
    for (let k = 0; k < (withTransactions ? 4 : 2); k++) edgeParams.push(lo, hi);
    return activitySql(withTransactions);
  });

  return {
    sql: `SELECT wallet, ${columns.map((c) => `CAST(sum(${c}) AS VARCHAR) AS ${c}`).join(", ")}
    FROM (
      SELECT wallet, ${middle.join(",\n        ")}
      FROM wallet_daily WHERE day_ms >= ? AND day_ms < ?
      GROUP BY wallet
      UNION ALL
      SELECT wallet, ${columns.map((c) => `sum(${c}) AS ${c}`).join(", ")}
      FROM (
        SELECT wallet, tx, ${edge.join(",\n          ")}
        FROM (
        ${edgeSources.join("\n        UNION ALL\n        ")}
        ) a
        GROUP BY wallet, tx
      ) per_tx
      GROUP BY wallet
    ) parts
    GROUP BY wallet`,
    params: [...middleParams, ...edgeParams],
    columns,
  };
}
