// The staging columns of each loaded row kind: the staging tables' DDL, DuckDB's appender and Snowflake's
// array binds are all derived from these lists (name, type, how to read it from the row). Transfers' and
// transactions' come from their one column definition (model/columns.ts).
import {
  type Column,
  type StageType,
  type StageValue,
  stagedColumns,
  TRANSACTION_COLUMNS,
  TRANSFER_COLUMNS,
} from "../model/columns.ts";
import type { ObservationRow } from "../model/rows.ts";

export type StageColumn<R> = readonly [name: string, type: StageType, value: (row: R) => StageValue];

/** A table's staged columns (model/columns.ts), as staging tuples. */
const staged = <R>(cols: readonly Column<R>[]): StageColumn<R>[] =>
  stagedColumns(cols).map((c) => [c.name, c.stage![0], c.stage![1]] as const);

export const TRANSACTION_STAGE = staged(TRANSACTION_COLUMNS);
export const TRANSFER_STAGE = staged(TRANSFER_COLUMNS);

export const OBSERVATION_STAGE: readonly StageColumn<ObservationRow>[] = [
  ["wallet", "text", (o) => o.wallet],
  ["endpoint", "text", (o) => o.endpoint],
  ["unit_id", "text", (o) => o.unitId],
  ["unit_kind", "text", (o) => o.unitKind],
  ["timestamp_ms", "bigint", (o) => o.timestampMs],
];

/** Amounts of transfers whose token's decimals arrived after them (see rescaleTransfers). */
export type RescaleRow = {
  transferId: string;
  decimals: number;
  amount: string;
  symbol: string | null;
  name: string | null;
};
export const RESCALE_STAGE: readonly StageColumn<RescaleRow>[] = [
  ["transfer_id", "text", (r) => r.transferId],
  ["decimals", "int", (r) => r.decimals],
  ["amount", "text", (r) => r.amount],
  ["symbol", "text", (r) => r.symbol],
  ["name", "text", (r) => r.name],
];

const SQL_TYPE: Record<StageType, string> = { text: "VARCHAR", bigint: "BIGINT", int: "INTEGER", bool: "BOOLEAN" };

export const stageColumnNames = <R>(cols: readonly StageColumn<R>[]): string[] => cols.map(([name]) => name);
export const stageValues = <R>(cols: readonly StageColumn<R>[], row: R): StageValue[] =>
  cols.map(([, , value]) => value(row));
export const stageTableSql = <R>(table: string, cols: readonly StageColumn<R>[]): string =>
  `CREATE TEMP TABLE IF NOT EXISTS ${table} (${cols.map(([name, type]) => `${name} ${SQL_TYPE[type]}`).join(", ")})`;
