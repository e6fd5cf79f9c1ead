// Set-based merges from staging tables, built through the dialect. The batch holds each key once
// (model/merge.ts collapses it); MERGE applies the same rules between the batch and stored rows:
// detail fields from the most detailed observation; state (status, confirmed, result) from the newest
// observation, a confirmed one always beating an unconfirmed one. A stored row is touched only when the
// batch really changes it. The join is limited to the batch's time range (±1 day) so that the engine
// reads only the row groups that can match: no index is needed, memory stays flat as the tables grow.
import { DAY_MS } from "../model/time.ts";
import type { Dialect } from "./types.ts";

export const STAGE_TRANSACTIONS = "stage_transactions";
export const STAGE_TRANSFERS = "stage_transfers";

/** Rank of an observation: level * 10^13 + observed-at ms (fits BIGINT; ms < 10^13 until year 2286). */
const rank = (level: string, observed: string) => `(CAST(${level} AS BIGINT) * 10000000000000 + ${observed})`;

export function stageTablesSql(): string[] {
  return [
    `CREATE TEMP TABLE IF NOT EXISTS ${STAGE_TRANSACTIONS} (hash VARCHAR, block BIGINT, timestamp_ms BIGINT, owner_address VARCHAR,
      to_address VARCHAR, contract_type INTEGER, contract_type_name VARCHAR, status VARCHAR, contract_ret VARCHAR,
      confirmed BOOLEAN, fee VARCHAR, raw VARCHAR, detail INTEGER, observed_ms BIGINT)`,
    `CREATE TEMP TABLE IF NOT EXISTS ${STAGE_TRANSFERS} (transfer_id VARCHAR, transaction_id VARCHAR, block BIGINT,
      timestamp_ms BIGINT, from_address VARCHAR, to_address VARCHAR, asset_type VARCHAR, token_id VARCHAR,
      token_symbol VARCHAR, token_name VARCHAR, token_decimals INTEGER, amount_raw VARCHAR, amount VARCHAR,
      confirmed BOOLEAN, status VARCHAR, risk BOOLEAN, token_level VARCHAR, source VARCHAR, observed_ms BIGINT)`,
  ];
}

export type TimeRange = { minMs: number; maxMs: number };
const within = (range: TimeRange) => `t.timestamp_ms BETWEEN ${Math.floor(range.minMs - DAY_MS)} AND ${Math.ceil(range.maxMs + DAY_MS)}`;

export function mergeTransactionsSql(d: Dialect, range: TimeRange): string {
  const detailCols = ["block", "owner_address", "to_address", "contract_type", "contract_type_name", "fee", "raw"];
  const moreDetail = "s.detail_rank > t.detail_rank";
  const newerState = "s.state_rank > t.state_rank";
  const byDetail = (c: string, expr = `s.${c}`) => `${c} = CASE WHEN ${moreDetail} THEN COALESCE(${expr}, t.${c}) ELSE COALESCE(t.${c}, ${expr}) END`;
  return `MERGE INTO transactions t
    USING (SELECT *, ${rank("detail", "observed_ms")} AS detail_rank, ${rank("confirmed", "observed_ms")} AS state_rank FROM ${STAGE_TRANSACTIONS}) s
    ON t.hash = s.hash AND ${within(range)}
    WHEN MATCHED AND ((s.confirmed AND NOT t.confirmed) OR (${newerState} AND (s.status <> t.status OR s.contract_ret IS DISTINCT FROM t.contract_ret)) OR s.detail > t.detail) THEN UPDATE SET
      ${detailCols.filter((c) => c !== "fee" && c !== "raw").map((c) => byDetail(c)).join(",\n      ")},
      ${byDetail("raw", d.toJson("s.raw"))},
      ${byDetail("fee", d.toRawAmount("s.fee"))},
      timestamp_ms = CASE WHEN ${moreDetail} THEN s.timestamp_ms ELSE t.timestamp_ms END,
      timestamp_utc = CASE WHEN ${moreDetail} THEN ${d.msToTimestamp("s.timestamp_ms")} ELSE t.timestamp_utc END,
      status = CASE WHEN ${newerState} THEN s.status ELSE t.status END,
      contract_ret = CASE WHEN ${newerState} THEN COALESCE(s.contract_ret, t.contract_ret) ELSE COALESCE(t.contract_ret, s.contract_ret) END,
      confirmed = t.confirmed OR s.confirmed,
      detail = greatest(t.detail, s.detail),
      detail_rank = greatest(t.detail_rank, s.detail_rank),
      state_rank = greatest(t.state_rank, s.state_rank),
      updated_at = ${d.now()}
    WHEN NOT MATCHED THEN INSERT (hash, block, timestamp_utc, timestamp_ms, owner_address, to_address, contract_type,
      contract_type_name, status, contract_ret, confirmed, fee, raw, detail, detail_rank, state_rank, first_seen_at, updated_at)
    VALUES (s.hash, s.block, ${d.msToTimestamp("s.timestamp_ms")}, s.timestamp_ms, s.owner_address, s.to_address, s.contract_type,
      s.contract_type_name, s.status, s.contract_ret, s.confirmed, ${d.toRawAmount("s.fee")}, ${d.toJson("s.raw")}, s.detail, s.detail_rank,
      s.state_rank, ${d.now()}, ${d.now()})`;
}

export function mergeTransfersSql(d: Dialect, range: TimeRange): string {
  const newerState = "s.state_rank > t.state_rank";
  const learnsToken = "t.token_decimals IS NULL AND s.token_decimals IS NOT NULL";
  const meta = ["token_symbol", "token_name", "token_decimals", "amount", "token_level"];
  return `MERGE INTO transfers t
    USING (SELECT *, ${rank("confirmed", "observed_ms")} AS state_rank FROM ${STAGE_TRANSFERS}) s
    ON t.transfer_id = s.transfer_id AND ${within(range)}
    WHEN MATCHED AND ((s.confirmed AND NOT t.confirmed) OR (${newerState} AND s.status <> t.status) OR (${learnsToken})
        OR (s.risk AND NOT t.risk) OR (t.block IS NULL AND s.block IS NOT NULL)) THEN UPDATE SET
      ${meta.map((c) => `${c} = CASE WHEN ${learnsToken} THEN s.${c} ELSE t.${c} END`).join(",\n      ")},
      block = COALESCE(t.block, s.block),
      status = CASE WHEN ${newerState} THEN s.status ELSE t.status END,
      confirmed = t.confirmed OR s.confirmed,
      risk = t.risk OR s.risk,
      state_rank = greatest(t.state_rank, s.state_rank),
      updated_at = ${d.now()}
    WHEN NOT MATCHED THEN INSERT (transfer_id, transaction_id, block, timestamp_utc, timestamp_ms, from_address, to_address,
      asset_type, token_id, token_symbol, token_name, token_decimals, amount_raw, amount_num, amount, confirmed, status,
      risk, token_level, source, state_rank, first_seen_at, updated_at)
    VALUES (s.transfer_id, s.transaction_id, s.block, ${d.msToTimestamp("s.timestamp_ms")}, s.timestamp_ms, s.from_address,
      s.to_address, s.asset_type, s.token_id, s.token_symbol, s.token_name, s.token_decimals, s.amount_raw,
      ${d.toRawAmount("s.amount_raw")}, s.amount, s.confirmed, s.status, s.risk, s.token_level, s.source, s.state_rank,
      ${d.now()}, ${d.now()})`;
}
