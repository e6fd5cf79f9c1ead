// The columns of the two large tables, written once. The table DDL, the staging tables (DDL, DuckDB's appender,
// Snowflake's binds), the MERGE's insert list and the export fields (NDJSON/CSV, out/structured/) all derive
// from these lists; their order is the table's.
import type { TransactionRow, TransferRow } from "./rows.ts";

export type ColumnType = "text" | "int" | "bigint" | "bool" | "timestamp" | "raw_amount" | "json";
export type StageType = "text" | "bigint" | "int" | "bool";
export type StageValue = string | number | boolean | null;

/** The SQL spellings a column's insert expression needs (a warehouse Dialect has them). */
export type Spelling = {
  msToTimestamp(ms: string): string;
  toRawAmount(text: string): string;
  toJson(text: string): string;
  now(): string;
};

export type Column<R> = {
  name: string;
  /** The table's type; absent for a column that exists only in staging. */
  type?: ColumnType;
  notNull?: true;
  /** Staged from the row: its staging type and how to read it. */
  stage?: readonly [StageType, (row: R) => StageValue];
  /** A new row's value in the MERGE (default: the staged column `s.<name>`). */
  insert?: (d: Spelling) => string;
  /** Part of the exports, in this order. */
  exported?: true;
  /** The migration that added it (1 when absent). */
  since?: number;
};

const timestampUtc = <R>(): Column<R> => ({
  name: "timestamp_utc",
  type: "timestamp",
  notNull: true,
  insert: (d) => d.msToTimestamp("s.timestamp_ms"),
  exported: true,
});
const loadTimes = <R>(): Column<R>[] => [
  { name: "first_seen_at", type: "timestamp", insert: (d) => d.now() },
  { name: "updated_at", type: "timestamp", insert: (d) => d.now() },
];
const observedMs = <R extends { observedAtMs: number }>(): Column<R> => ({
  name: "observed_ms",
  stage: ["bigint", (r) => r.observedAtMs],
});

export const TRANSFER_COLUMNS: readonly Column<TransferRow>[] = [
  { name: "transfer_id", type: "text", notNull: true, stage: ["text", (t) => t.transferId], exported: true },
  { name: "transaction_id", type: "text", notNull: true, stage: ["text", (t) => t.transactionId], exported: true },
  { name: "block", type: "bigint", stage: ["bigint", (t) => t.block], exported: true },
  timestampUtc(),
  { name: "timestamp_ms", type: "bigint", notNull: true, stage: ["bigint", (t) => t.timestampMs] },
  { name: "from_address", type: "text", notNull: true, stage: ["text", (t) => t.fromAddress], exported: true },
  { name: "to_address", type: "text", notNull: true, stage: ["text", (t) => t.toAddress], exported: true },
  { name: "asset_type", type: "text", notNull: true, stage: ["text", (t) => t.assetType], exported: true },
  { name: "token_id", type: "text", notNull: true, stage: ["text", (t) => t.tokenId], exported: true },
  { name: "token_symbol", type: "text", stage: ["text", (t) => t.tokenSymbol], exported: true },
  { name: "token_name", type: "text", stage: ["text", (t) => t.tokenName] },
  { name: "token_decimals", type: "int", stage: ["int", (t) => t.tokenDecimals], exported: true },
  { name: "amount_raw", type: "text", notNull: true, stage: ["text", (t) => t.amountRaw], exported: true },
  {
    name: "amount_num",
    type: "raw_amount",
    // an NFT's "amount" is one token: never summed
    insert: (d) => `CASE WHEN s.asset_type = 'trc721' THEN NULL ELSE ${d.toRawAmount("s.amount_raw")} END`,
  },
  { name: "amount", type: "text", stage: ["text", (t) => t.amount], exported: true },
  { name: "confirmed", type: "bool", notNull: true, stage: ["bool", (t) => t.confirmed], exported: true },
  { name: "status", type: "text", notNull: true, stage: ["text", (t) => t.status], exported: true },
  { name: "risk", type: "bool", stage: ["bool", (t) => t.risk] },
  { name: "token_level", type: "text", stage: ["text", (t) => t.tokenLevel] },
  { name: "source", type: "text", stage: ["text", (t) => t.source] },
  { name: "state_rank", type: "bigint", notNull: true },
  ...loadTimes<TransferRow>(),
  observedMs(),
  { name: "nft_token_id", type: "text", stage: ["text", (t) => t.nftTokenId ?? null], since: 7 },
];

export const TRANSACTION_COLUMNS: readonly Column<TransactionRow>[] = [
  { name: "hash", type: "text", notNull: true, stage: ["text", (t) => t.hash], exported: true },
  { name: "block", type: "bigint", stage: ["bigint", (t) => t.block], exported: true },
  timestampUtc(),
  { name: "timestamp_ms", type: "bigint", notNull: true, stage: ["bigint", (t) => t.timestampMs] },
  { name: "owner_address", type: "text", stage: ["text", (t) => t.ownerAddress], exported: true },
  { name: "to_address", type: "text", stage: ["text", (t) => t.toAddress], exported: true },
  { name: "contract_type", type: "int", stage: ["int", (t) => t.contractType], exported: true },
  { name: "contract_type_name", type: "text", stage: ["text", (t) => t.contractTypeName], exported: true },
  { name: "status", type: "text", notNull: true, stage: ["text", (t) => t.status], exported: true },
  { name: "contract_ret", type: "text", stage: ["text", (t) => t.contractRet], exported: true },
  { name: "confirmed", type: "bool", notNull: true, stage: ["bool", (t) => t.confirmed], exported: true },
  {
    name: "fee",
    type: "raw_amount",
    stage: ["text", (t) => t.feeSun],
    insert: (d) => d.toRawAmount("s.fee"),
    exported: true,
  },
  { name: "raw", type: "json", stage: ["text", (t) => t.raw], insert: (d) => d.toJson("s.raw") },
  { name: "detail", type: "int", notNull: true, stage: ["int", (t) => t.detail] },
  { name: "detail_rank", type: "bigint", notNull: true },
  { name: "state_rank", type: "bigint", notNull: true },
  ...loadTimes<TransactionRow>(),
  observedMs(),
];

/** The columns a table holds (those of migration `upTo` and before). */
export const tableColumns = <R>(cols: readonly Column<R>[], upTo = Infinity) =>
  cols.filter((c) => c.type && (c.since ?? 1) <= upTo);
export const stagedColumns = <R>(cols: readonly Column<R>[]) => cols.filter((c) => c.stage);
const exportedColumns = <R>(cols: readonly Column<R>[]) => cols.filter((c) => c.exported).map((c) => c.name);

export const TRANSFER_EXPORT_FIELDS = exportedColumns(TRANSFER_COLUMNS);
export const TRANSACTION_EXPORT_FIELDS = exportedColumns(TRANSACTION_COLUMNS);

export const isoUtc = (ms: number): string => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

/** A row as exported: the exported columns, times as ISO 8601 UTC. */
function exportRow<R extends { timestampMs: number }>(cols: readonly Column<R>[], row: R): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of cols) {
    if (!c.exported) continue;
    out[c.name] = c.name === "timestamp_utc" ? isoUtc(row.timestampMs) : (c.stage?.[1](row) ?? null);
  }
  return out;
}
export const transferExport = (t: TransferRow) => exportRow(TRANSFER_COLUMNS, t);
export const transactionExport = (t: TransactionRow) => exportRow(TRANSACTION_COLUMNS, t);
