// Set-based upserts from staging tables, built through the dialect. The batch holds each key once
// (model/merge.ts collapses it); here the same merge rules apply between the batch and stored rows:
// detail fields from the most detailed, newest observation; state (status, confirmed) from the newest
// observation, a confirmed one always beating an unconfirmed one.
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

const stagedTransactions = () => `SELECT *, ${rank("detail", "observed_ms")} AS detail_rank, ${rank("confirmed", "observed_ms")} AS state_rank FROM ${STAGE_TRANSACTIONS}`;
const stagedTransfers = () => `SELECT *, ${rank("confirmed", "observed_ms")} AS state_rank FROM ${STAGE_TRANSFERS}`;

/** Counts of new rows and of stored rows whose state the batch changes. */
export function countChangesSql(table: "transactions" | "transfers"): string {
  const key = table === "transactions" ? "hash" : "transfer_id";
  const changed = table === "transactions"
    ? "(s.confirmed AND NOT t.confirmed) OR (s.state_rank > t.state_rank AND s.status <> t.status) OR s.detail > t.detail"
    : "(s.confirmed AND NOT t.confirmed) OR (s.state_rank > t.state_rank AND s.status <> t.status) OR (t.token_decimals IS NULL AND s.token_decimals IS NOT NULL)";
  return `SELECT count(*) FILTER (WHERE t.${key} IS NULL) AS new_rows,
      count(*) FILTER (WHERE t.${key} IS NOT NULL AND (${changed})) AS updated_rows
    FROM (${table === "transactions" ? stagedTransactions() : stagedTransfers()}) s LEFT JOIN ${table} t ON t.${key} = s.${key}`;
}

export function upsertTransactionsSql(d: Dialect): string {
  const t = "transactions";
  const byDetail = (c: string) =>
    `${c} = CASE WHEN excluded.detail_rank >= ${t}.detail_rank THEN COALESCE(excluded.${c}, ${t}.${c}) ELSE COALESCE(${t}.${c}, excluded.${c}) END`;
  const detailCols = ["block", "owner_address", "to_address", "contract_type", "contract_type_name", "contract_ret", "fee", "raw"];
  return `INSERT INTO ${t} (hash, block, timestamp_utc, timestamp_ms, owner_address, to_address, contract_type,
      contract_type_name, status, contract_ret, confirmed, fee, raw, detail, detail_rank, state_rank, first_seen_at, updated_at)
    SELECT hash, block, ${d.msToTimestamp("timestamp_ms")}, timestamp_ms, owner_address, to_address, contract_type,
      contract_type_name, status, contract_ret, confirmed, ${d.toRawAmount("fee")}, raw, detail, detail_rank, state_rank,
      ${d.now()}, ${d.now()}
    FROM (${stagedTransactions()}) s
    ON CONFLICT (hash) DO UPDATE SET
      ${detailCols.map(byDetail).join(",\n      ")},
      timestamp_ms = CASE WHEN excluded.detail_rank >= ${t}.detail_rank THEN excluded.timestamp_ms ELSE ${t}.timestamp_ms END,
      timestamp_utc = CASE WHEN excluded.detail_rank >= ${t}.detail_rank THEN excluded.timestamp_utc ELSE ${t}.timestamp_utc END,
      status = CASE WHEN excluded.state_rank >= ${t}.state_rank THEN excluded.status ELSE ${t}.status END,
      confirmed = ${t}.confirmed OR excluded.confirmed,
      detail = greatest(${t}.detail, excluded.detail),
      detail_rank = greatest(${t}.detail_rank, excluded.detail_rank),
      state_rank = greatest(${t}.state_rank, excluded.state_rank),
      updated_at = excluded.updated_at`;
}

export function upsertTransfersSql(d: Dialect): string {
  const t = "transfers";
  const meta = ["token_symbol", "token_name", "token_decimals", "amount", "token_level"];
  return `INSERT INTO ${t} (transfer_id, transaction_id, block, timestamp_utc, timestamp_ms, from_address, to_address,
      asset_type, token_id, token_symbol, token_name, token_decimals, amount_raw, amount_num, amount, confirmed, status,
      risk, token_level, source, state_rank, first_seen_at, updated_at)
    SELECT transfer_id, transaction_id, block, ${d.msToTimestamp("timestamp_ms")}, timestamp_ms, from_address, to_address,
      asset_type, token_id, token_symbol, token_name, token_decimals, amount_raw, ${d.toRawAmount("amount_raw")}, amount,
      confirmed, status, risk, token_level, source, state_rank, ${d.now()}, ${d.now()}
    FROM (${stagedTransfers()}) s
    ON CONFLICT (transfer_id) DO UPDATE SET
      ${meta.map((c) => `${c} = CASE WHEN excluded.token_decimals IS NOT NULL AND (${t}.token_decimals IS NULL OR excluded.state_rank >= ${t}.state_rank) THEN excluded.${c} ELSE ${t}.${c} END`).join(",\n      ")},
      block = COALESCE(${t}.block, excluded.block),
      status = CASE WHEN excluded.state_rank >= ${t}.state_rank THEN excluded.status ELSE ${t}.status END,
      confirmed = ${t}.confirmed OR excluded.confirmed,
      risk = ${t}.risk OR excluded.risk,
      state_rank = greatest(${t}.state_rank, excluded.state_rank),
      updated_at = excluded.updated_at`;
}
