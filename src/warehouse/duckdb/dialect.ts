import type { ColumnType, Dialect } from "../types.ts";

const TYPES: Record<ColumnType, string> = {
  text: "VARCHAR",
  int: "INTEGER",
  bigint: "BIGINT",
  bool: "BOOLEAN",
  timestamp: "TIMESTAMP", // UTC by convention
  raw_amount: "DECIMAL(38,0)",
  json: "JSON",
};

export const duckdbDialect: Dialect = {
  name: "duckdb",
  columnType: (t) => TYPES[t],
  msToTimestamp: (ms) => `make_timestamp(CAST(${ms} AS BIGINT) * 1000)`,
  toRawAmount: (text) => `TRY_CAST(${text} AS DECIMAL(38,0))`,
  now: () => `CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP)`,
};
