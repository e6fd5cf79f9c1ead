// The merge rules, as SQL built through the dialect: staged rows are collapsed per key, then merged with
// the stored row. Detail fields come from the most detailed, newest observation; state (status,
// confirmed) from the newest observation, a confirmed one always beating an unconfirmed one.
import type { Dialect } from "./types.ts";

/** Rank of an observation: level * 10^13 + observed-at ms (fits BIGINT; ms < 10^13 until year 2286). */
const rank = (level: string, observed: string) => `(CAST(${level} AS BIGINT) * 10000000000000 + ${observed})`;

const pickNewer = (t: string, col: string, rankCol: string) =>
  `${col} = CASE WHEN excluded.${rankCol} >= ${t}.${rankCol} THEN COALESCE(excluded.${col}, ${t}.${col}) ELSE COALESCE(${t}.${col}, excluded.${col}) END`;

export const STAGE_TRANSACTIONS = `stage_transactions`;
export const STAGE_TRANSFERS = `stage_transfers`;

export const stageTransactionColumns = [
  "hash", "block", "timestamp_ms", "owner_address", "to_address", "contract_type", "contract_type_name", "status",
  "contract_ret", "confirmed", "fee", "raw", "detail", "observed_ms",
] as const;
export const stageTransferColumns = [
  "transfer_id", "transaction_id", "block", "timestamp_ms", "from_address", "to_address", "asset_type", "token_id",
  "token_symbol", "token_name", "token_decimals", "amount_raw", "amount", "confirmed", "status", "risk", "token_level",
  "source", "observed_ms",
] as const;

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

function collapsedTransactions(d: Dialect): string {
  const dr = rank("detail", "observed_ms");
  const sr = rank("confirmed", "observed_ms");
  const a = (c: string) => `${d.argMax(c, dr)} AS ${c}`;
  return `SELECT hash, ${a("block")}, ${a("timestamp_ms")}, ${a("owner_address")}, ${a("to_address")},
      ${a("contract_type")}, ${a("contract_type_name")}, ${d.argMax("status", sr)} AS status, ${a("contract_ret")},
      bool_or(confirmed) AS confirmed, ${a("fee")}, ${a("raw")}, max(detail) AS detail,
      max(${dr}) AS detail_rank, max(${sr}) AS state_rank
    FROM ${STAGE_TRANSACTIONS} GROUP BY hash`;
}

function collapsedTransfers(d: Dialect): string {
  const sr = rank("confirmed", "observed_ms");
  const dr = rank("CASE WHEN token_decimals IS NULL THEN 0 ELSE 1 END", "observed_ms");
  const a = (c: string, r = sr) => `${d.argMax(c, r)} AS ${c}`;
  return `SELECT transfer_id, ${a("transaction_id")}, ${a("block")}, ${a("timestamp_ms")}, ${a("from_address")},
      ${a("to_address")}, ${a("asset_type")}, ${a("token_id")}, ${a("token_symbol", dr)}, ${a("token_name", dr)},
      ${a("token_decimals", dr)}, ${a("amount_raw")}, ${a("amount", dr)}, bool_or(confirmed) AS confirmed,
      ${a("status")}, bool_or(risk) AS risk, ${a("token_level", dr)}, ${a("source")}, max(${sr}) AS state_rank
    FROM ${STAGE_TRANSFERS} GROUP BY transfer_id`;
}

/** Counts of new rows and of stored rows whose state the batch changes. */
export function countChangesSql(d: Dialect, table: "transactions" | "transfers"): string {
  const key = table === "transactions" ? "hash" : "transfer_id";
  const src = table === "transactions" ? collapsedTransactions(d) : collapsedTransfers(d);
  const changed =
    table === "transactions"
      ? `(s.confirmed AND NOT t.confirmed) OR (s.state_rank > t.state_rank AND s.status <> t.status) OR s.detail > t.detail`
      : `(s.confirmed AND NOT t.confirmed) OR (s.state_rank > t.state_rank AND s.status <> t.status) OR (t.token_decimals IS NULL AND s.token_decimals IS NOT NULL)`;
  return `SELECT count(*) FILTER (WHERE t.${key} IS NULL) AS new_rows,
      count(*) FILTER (WHERE t.${key} IS NOT NULL AND (${changed})) AS updated_rows
    FROM (${src}) s LEFT JOIN ${table} t ON t.${key} = s.${key}`;
}

export function upsertTransactionsSql(d: Dialect): string {
  const t = "transactions";
  const detailCols = ["block", "owner_address", "to_address", "contract_type", "contract_type_name", "contract_ret", "fee", "raw"];
  return `INSERT INTO ${t} (hash, block, timestamp_utc, timestamp_ms, owner_address, to_address, contract_type,
      contract_type_name, status, contract_ret, confirmed, fee, raw, detail, detail_rank, state_rank, first_seen_at, updated_at)
    SELECT hash, block, ${d.msToTimestamp("timestamp_ms")}, timestamp_ms, owner_address, to_address, contract_type,
      contract_type_name, status, contract_ret, confirmed, ${d.toRawAmount("fee")}, raw, detail, detail_rank, state_rank,
      ${d.now()}, ${d.now()}
    FROM (${collapsedTransactions(d)}) s
    ON CONFLICT (hash) DO UPDATE SET
      ${detailCols.map((c) => pickNewer(t, c, "detail_rank")).join(",\n      ")},
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
    FROM (${collapsedTransfers(d)}) s
    ON CONFLICT (transfer_id) DO UPDATE SET
      ${meta.map((c) => `${c} = CASE WHEN excluded.token_decimals IS NOT NULL AND (${t}.token_decimals IS NULL OR excluded.state_rank >= ${t}.state_rank) THEN excluded.${c} ELSE ${t}.${c} END`).join(",\n      ")},
      block = COALESCE(${t}.block, excluded.block),
      status = CASE WHEN excluded.state_rank >= ${t}.state_rank THEN excluded.status ELSE ${t}.status END,
      confirmed = ${t}.confirmed OR excluded.confirmed,
      risk = ${t}.risk OR excluded.risk,
      state_rank = greatest(${t}.state_rank, excluded.state_rank),
      updated_at = excluded.updated_at`;
}
