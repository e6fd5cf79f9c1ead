// The staging columns of each loaded row kind, written once: the staging tables' DDL, DuckDB's appender and
// Snowflake's array binds are all derived from these lists (name, type, how to read it from the row).
import type { ObservationRow, TransactionRow, TransferRow } from "../model/rows.ts";

export type StageType = "text" | "bigint" | "int" | "bool";
export type StageValue = string | number | boolean | null;
export type StageColumn<R> = readonly [name: string, type: StageType, value: (row: R) => StageValue];

export const TRANSACTION_STAGE: readonly StageColumn<TransactionRow>[] = [
  ["hash", "text", (t) => t.hash],
  ["block", "bigint", (t) => t.block],
  ["timestamp_ms", "bigint", (t) => t.timestampMs],
  ["owner_address", "text", (t) => t.ownerAddress],
  ["to_address", "text", (t) => t.toAddress],
  ["contract_type", "int", (t) => t.contractType],
  ["contract_type_name", "text", (t) => t.contractTypeName],
  ["status", "text", (t) => t.status],
  ["contract_ret", "text", (t) => t.contractRet],
  ["confirmed", "bool", (t) => t.confirmed],
  ["fee", "text", (t) => t.feeSun],
  ["raw", "text", (t) => t.raw],
  ["detail", "int", (t) => t.detail],
  ["observed_ms", "bigint", (t) => t.observedAtMs],
];

export const TRANSFER_STAGE: readonly StageColumn<TransferRow>[] = [
  ["transfer_id", "text", (t) => t.transferId],
  ["transaction_id", "text", (t) => t.transactionId],
  ["block", "bigint", (t) => t.block],
  ["timestamp_ms", "bigint", (t) => t.timestampMs],
  ["from_address", "text", (t) => t.fromAddress],
  ["to_address", "text", (t) => t.toAddress],
  ["asset_type", "text", (t) => t.assetType],
  ["token_id", "text", (t) => t.tokenId],
  ["token_symbol", "text", (t) => t.tokenSymbol],
  ["token_name", "text", (t) => t.tokenName],
  ["token_decimals", "int", (t) => t.tokenDecimals],
  ["amount_raw", "text", (t) => t.amountRaw],
  ["amount", "text", (t) => t.amount],
  ["confirmed", "bool", (t) => t.confirmed],
  ["status", "text", (t) => t.status],
  ["risk", "bool", (t) => t.risk],
  ["token_level", "text", (t) => t.tokenLevel],
  ["source", "text", (t) => t.source],
  ["observed_ms", "bigint", (t) => t.observedAtMs],
  ["nft_token_id", "text", (t) => t.nftTokenId ?? null],
];

export const OBSERVATION_STAGE: readonly StageColumn<ObservationRow>[] = [
  ["wallet", "text", (o) => o.wallet],
  ["endpoint", "text", (o) => o.endpoint],
  ["unit_id", "text", (o) => o.unitId],
  ["unit_kind", "text", (o) => o.unitKind],
  ["timestamp_ms", "bigint", (o) => o.timestampMs],
];

const SQL_TYPE: Record<StageType, string> = { text: "VARCHAR", bigint: "BIGINT", int: "INTEGER", bool: "BOOLEAN" };

export const stageColumnNames = <R>(cols: readonly StageColumn<R>[]): string[] => cols.map(([name]) => name);
export const stageValues = <R>(cols: readonly StageColumn<R>[], row: R): StageValue[] =>
  cols.map(([, , value]) => value(row));
export const stageTableSql = <R>(table: string, cols: readonly StageColumn<R>[]): string =>
  `CREATE TEMP TABLE IF NOT EXISTS ${table} (${cols.map(([name, type]) => `${name} ${SQL_TYPE[type]}`).join(", ")})`;
