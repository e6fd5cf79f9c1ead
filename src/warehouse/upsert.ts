// Set-based merges from staging tables, built through the dialect. The batch holds each key once
// (model/merge.ts collapses it); MERGE applies the same rules between the batch and stored rows:
// detail fields from the most detailed observation; state (status, confirmed, result) from the newest
// observation, a confirmed one always beating an unconfirmed one; block and time from the newest
// observation too (a transaction re-included in another block moves). A stored row is touched only when
// the batch really changes it. Rows are matched by id over the whole table, never within a time window:
// a re-observation may come any time later, with another timestamp.
import type { BlockRange, Dialect } from "./types.ts";
import { type Column, TRANSACTION_COLUMNS, TRANSFER_COLUMNS, tableColumns } from "../model/columns.ts";
import { DAY_MS, utcDaySql } from "../model/time.ts";
import {
  OBSERVATION_STAGE,
  RESCALE_STAGE,
  stageColumnNames,
  stageTableSql,
  TRANSACTION_STAGE,
  TRANSFER_STAGE,
} from "./stage.ts";

export const STAGE_TRANSACTIONS = "stage_transactions";
export const STAGE_TRANSFERS = "stage_transfers";
export const STAGE_OBSERVATIONS = "stage_observations";
export const STAGE_RESCALE = "stage_rescale";
export const OBSERVATION_COLUMNS = stageColumnNames(OBSERVATION_STAGE);

/** Rank of an observation: level * 10^13 + observed-at ms (fits BIGINT; ms < 10^13 until year 2286). */
const rank = (level: string, observed: string) => `(CAST(${level} AS BIGINT) * 10000000000000 + ${observed})`;

export function stageTablesSql(): string[] {
  return [
    stageTableSql(STAGE_TRANSACTIONS, TRANSACTION_STAGE),
    stageTableSql(STAGE_TRANSFERS, TRANSFER_STAGE),
    stageTableSql(STAGE_OBSERVATIONS, OBSERVATION_STAGE),
    stageTableSql(STAGE_RESCALE, RESCALE_STAGE),
  ];
}

/** Every UTC day (ms) holding a stored transfer or transaction: what the rollup must cover when the wallets change. */
export function allActivityDaysSql(): string {
  return `SELECT DISTINCT ${utcDaySql("timestamp_ms")} AS day_ms FROM transfers UNION SELECT DISTINCT
    ${utcDaySql("timestamp_ms")} FROM transactions`;
}

/**
 * After the merges: where a transaction's token has Transfer events (rows of the token-transfer list), they
 * are the truth, and a transfer decoded from the call data of the same transaction and token is not added on
 * top (a fee-on-transfer token moves less than the call asked, and to more than one address).
 */
export function supersededCallTransfersSql(range: TimeRange): string {
  // a transaction's rows share its block time: a day either side of the batch is ample, and lets the engine read
  // only those row groups instead of every transaction id stored
  const near = (a: string) =>
    `${a}.timestamp_ms BETWEEN ${Math.floor(range.minMs) - DAY_MS} AND ${Math.ceil(range.maxMs) + DAY_MS}`;
  return `DELETE FROM transfers WHERE source = 'transaction' AND asset_type IN ('trc20', 'trc721')
    AND ${near("transfers")} AND transaction_id IN (SELECT transaction_id FROM ${STAGE_TRANSFERS})
    AND EXISTS (SELECT 1 FROM transfers e WHERE ${near("e")} AND e.transaction_id = transfers.transaction_id
      AND e.token_id = transfers.token_id AND e.source = 'trc20')`;
}

/**
 * Rows of blocks `from..to` (a block follower's range) that are still unconfirmed and not in the staged batch: the
 * block that held them was replaced (a reorg of the unsolidified tip), so they are marked dropped. A transaction
 * included again later is seen again, newer, and its observation wins over the drop (model/merge.ts).
 */
export function droppedFromBlocksSql(range: BlockRange, now: string): string[] {
  const near = `timestamp_ms BETWEEN ${Math.floor(range.fromMs) - DAY_MS} AND ${Math.ceil(range.toMs) + DAY_MS}`;
  const of = `NOT confirmed AND status <> 'dropped' AND block BETWEEN ${range.from} AND ${range.to} AND ${near}`;
  return [
    `UPDATE transfers SET status = 'dropped', updated_at = ${now}
      WHERE ${of} AND transfer_id NOT IN (SELECT transfer_id FROM ${STAGE_TRANSFERS})`,
    `UPDATE transactions SET status = 'dropped', updated_at = ${now}
      WHERE ${of} AND hash NOT IN (SELECT hash FROM ${STAGE_TRANSACTIONS})`,
  ];
}

/** The unconfirmed rows of blocks now solidified as the fast lane loaded them (same block ids): confirmed. */
export function confirmedBlocksSql(range: BlockRange, now: string): string[] {
  const near = `timestamp_ms BETWEEN ${Math.floor(range.fromMs) - DAY_MS} AND ${Math.ceil(range.toMs) + DAY_MS}`;
  const of = `NOT confirmed AND status <> 'dropped' AND block BETWEEN ${range.from} AND ${range.to} AND ${near}`;
  return [
    `UPDATE transfers SET confirmed = true, updated_at = ${now} WHERE ${of}`,
    `UPDATE transactions SET confirmed = true, updated_at = ${now} WHERE ${of}`,
  ];
}

/** The observation ledger: each unit once per wallet and stream; its time follows the newest observation. */
export function mergeObservationsSql(): string[] {
  const same = "o.wallet = s.wallet AND o.endpoint = s.endpoint AND o.unit_id = s.unit_id";
  return [
    `UPDATE observations SET timestamp_ms = s.timestamp_ms FROM ${STAGE_OBSERVATIONS} s
      WHERE observations.wallet = s.wallet AND observations.endpoint = s.endpoint AND observations.unit_id = s.unit_id
        AND observations.timestamp_ms <> s.timestamp_ms`,
    `INSERT INTO observations (${OBSERVATION_COLUMNS.join(", ")})
      SELECT ${OBSERVATION_COLUMNS.map((c) => `s.${c}`).join(", ")} FROM ${STAGE_OBSERVATIONS} s
      WHERE NOT EXISTS (SELECT 1 FROM observations o WHERE ${same})`,
  ];
}

/**
 * The stored times of every row that matches the staged batch by id, in one scan of the id column: the range
 * the MERGE must look at (the batch's own, widened to them: the engine then skips the rest of the table while
 * rows are still matched by id wherever they are stored), and the days of rows that this batch moves to another
 * time (the rollups must redo them too). One row per moved day, and one with `moved_day` NULL.
 */
export function storedTimesSql(table: "transfers" | "transactions"): string {
  const [key, stage] = table === "transfers" ? ["transfer_id", STAGE_TRANSFERS] : ["hash", STAGE_TRANSACTIONS];
  return `SELECT CASE WHEN t.timestamp_ms <> s.timestamp_ms THEN ${utcDaySql("t.timestamp_ms")} END AS moved_day,
      min(t.timestamp_ms) AS lo, max(t.timestamp_ms) AS hi
    FROM ${table} t JOIN ${stage} s ON t.${key} = s.${key} GROUP BY 1`;
}

/** The stored range and moved days of `storedTimesSql`'s rows. */
export function storedTimes(rows: Record<string, unknown>[]): { lo?: number; hi?: number; movedDays: number[] } {
  if (!rows.length) return { movedDays: [] };
  return {
    lo: Math.min(...rows.map((r) => Number(r.lo))),
    hi: Math.max(...rows.map((r) => Number(r.hi))),
    movedDays: rows.filter((r) => r.moved_day !== null && r.moved_day !== undefined).map((r) => Number(r.moved_day)),
  };
}

export type TimeRange = { minMs: number; maxMs: number };

export function widen(batch: TimeRange, stored: { lo?: unknown; hi?: unknown } | undefined): TimeRange {
  const lo = stored?.lo === null || stored?.lo === undefined ? Infinity : Number(stored.lo);
  const hi = stored?.hi === null || stored?.hi === undefined ? -Infinity : Number(stored.hi);
  return { minMs: Math.min(batch.minMs, lo), maxMs: Math.max(batch.maxMs, hi) };
}
const within = (range?: TimeRange) =>
  range ? ` AND t.timestamp_ms BETWEEN ${Math.floor(range.minMs)} AND ${Math.ceil(range.maxMs)}` : "";

/** The MERGE's insert of a new row: every table column, from staging or derived (model/columns.ts). */
function insertNew<R>(d: Dialect, cols: readonly Column<R>[]): string {
  const list = tableColumns(cols);
  return `WHEN NOT MATCHED THEN INSERT (${list.map((c) => c.name).join(", ")})
    VALUES (${list.map((c) => c.insert?.(d) ?? `s.${c.name}`).join(", ")})`;
}

export function mergeTransactionsSql(d: Dialect, range?: TimeRange): string {
  const detailCols = ["block", "owner_address", "to_address", "contract_type", "contract_type_name", "fee", "raw"];
  const moreDetail = "s.detail_rank > t.detail_rank";
  const newerState = "s.state_rank > t.state_rank";
  const byDetail = (c: string, expr = `s.${c}`) =>
    `${c} = CASE WHEN ${moreDetail} THEN COALESCE(${expr}, t.${c}) ELSE COALESCE(t.${c}, ${expr}) END`;
  return `MERGE INTO transactions t
    USING (SELECT *, ${rank("detail", "observed_ms")} AS detail_rank, ${rank("confirmed", "observed_ms")} AS
      state_rank FROM ${STAGE_TRANSACTIONS}) s
    ON t.hash = s.hash${within(range)}
    WHEN MATCHED AND ((s.confirmed AND NOT t.confirmed) OR (${newerState} AND (s.status <> t.status OR s.contract_ret
      IS DISTINCT FROM t.contract_ret))
        OR s.detail > t.detail OR (${newerState} AND (s.timestamp_ms <> t.timestamp_ms OR (s.block IS NOT NULL AND
          s.block IS DISTINCT FROM t.block)))) THEN UPDATE SET
      ${detailCols
        .filter((c) => c !== "fee" && c !== "raw" && c !== "block")
        .map((c) => byDetail(c))
        .join(",\n      ")},
      ${byDetail("raw", d.toJson("s.raw"))},
      ${byDetail("fee", d.toRawAmount("s.fee"))},
      block = CASE WHEN ${newerState} THEN COALESCE(s.block, t.block) ELSE COALESCE(t.block, s.block) END,
      timestamp_ms = CASE WHEN ${newerState} THEN s.timestamp_ms ELSE t.timestamp_ms END,
      timestamp_utc = CASE WHEN ${newerState} THEN ${d.msToTimestamp("s.timestamp_ms")} ELSE t.timestamp_utc END,
      status = CASE WHEN ${newerState} THEN s.status ELSE t.status END,
      contract_ret = CASE WHEN ${newerState} THEN COALESCE(s.contract_ret, t.contract_ret) ELSE
        COALESCE(t.contract_ret, s.contract_ret) END,
      confirmed = t.confirmed OR s.confirmed,
      detail = greatest(t.detail, s.detail),
      detail_rank = greatest(t.detail_rank, s.detail_rank),
      state_rank = greatest(t.state_rank, s.state_rank),
      updated_at = ${d.now()}
    ${insertNew(d, TRANSACTION_COLUMNS)}`;
}

export function mergeTransfersSql(d: Dialect, range?: TimeRange): string {
  const newerState = "s.state_rank > t.state_rank";
  const learnsToken = "t.token_decimals IS NULL AND s.token_decimals IS NOT NULL";
  const meta = ["token_symbol", "token_name", "token_decimals", "amount", "token_level"];
  return `MERGE INTO transfers t
    USING (SELECT *, ${rank("confirmed", "observed_ms")} AS state_rank FROM ${STAGE_TRANSFERS}) s
    ON t.transfer_id = s.transfer_id${within(range)}
    WHEN MATCHED AND ((s.confirmed AND NOT t.confirmed) OR (${newerState} AND s.status <> t.status) OR (${learnsToken})
        OR (s.risk AND NOT t.risk) OR (t.block IS NULL AND s.block IS NOT NULL)
        OR (${newerState} AND (s.timestamp_ms <> t.timestamp_ms OR (s.block IS NOT NULL AND s.block IS DISTINCT FROM
          t.block)))) THEN UPDATE SET
      ${meta.map((c) => `${c} = CASE WHEN ${learnsToken} THEN s.${c} ELSE t.${c} END`).join(",\n      ")},
      block = CASE WHEN ${newerState} THEN COALESCE(s.block, t.block) ELSE COALESCE(t.block, s.block) END,
      timestamp_ms = CASE WHEN ${newerState} THEN s.timestamp_ms ELSE t.timestamp_ms END,
      timestamp_utc = CASE WHEN ${newerState} THEN ${d.msToTimestamp("s.timestamp_ms")} ELSE t.timestamp_utc END,
      status = CASE WHEN ${newerState} THEN s.status ELSE t.status END,
      confirmed = t.confirmed OR s.confirmed,
      risk = t.risk OR s.risk,
      state_rank = greatest(t.state_rank, s.state_rank),
      updated_at = ${d.now()}
    ${insertNew(d, TRANSFER_COLUMNS)}`;
}
