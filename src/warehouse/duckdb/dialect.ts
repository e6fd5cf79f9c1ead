// DuckDB's spelling of what the builders need. Upserts are INSERT ... ON CONFLICT on the primary key.
import type { Dialect, WriteOptions } from "../types.ts";
import type { ColumnType } from "../../model/columns.ts";

const TYPES: Record<ColumnType, string> = {
  text: "VARCHAR",
  int: "INTEGER",
  bigint: "BIGINT",
  bool: "BOOLEAN",
  timestamp: "TIMESTAMP", // UTC by convention
  raw_amount: "DECIMAL(38,0)",
  json: "JSON",
};

/** `INSERT INTO table (columns) VALUES (?, ...), ...` with each column's conversion applied to its parameter. */
function insertValues(table: string, columns: readonly string[], rowCount: number, o: WriteOptions): string {
  const row = `(${columns.map((c) => o.convert?.[c]?.("?") ?? "?").join(", ")})`;
  const rows = Array.from({ length: rowCount }, () => row).join(", ");
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${rows}`;
}

export const duckdbDialect: Dialect = {
  name: "duckdb",
  columnType: (t) => TYPES[t],
  msToTimestamp: (ms) => `make_timestamp(CAST(${ms} AS BIGINT) * 1000)`,
  // via HUGEINT: a direct VARCHAR -> DECIMAL cast costs ~10 µs a row, this ~0.1 µs; both give NULL past 38 digits
  toRawAmount: (text) => `TRY_CAST(TRY_CAST(${text} AS HUGEINT) AS DECIMAL(38,0))`,
  toJson: (text) => text,
  jsonText: (expr) => `CAST(${expr} AS VARCHAR)`,
  // milliseconds: watermarks over load times are kept in ms, so a load time must not carry microseconds past them
  now: () => `date_trunc('millisecond', CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP))`,
  nowMs: () => `epoch_ms(now())`,
  timestampToMs: (ts) => `epoch_ms(${ts})`,
  framedMedian: true,
  transactionalDdl: true,
  insertMissingSql: (table, columns, keys, rowCount, o = {}) =>
    `${insertValues(table, columns, rowCount, o)} ON CONFLICT (${keys.join(", ")}) DO NOTHING`,
  upsertSql: (table, columns, keys, rowCount, o = {}) => {
    const updates = (o.update ?? columns.filter((c) => !keys.includes(c))).map((c) =>
      o.keepWhenNull?.includes(c) ? `${c} = COALESCE(excluded.${c}, ${table}.${c})` : `${c} = excluded.${c}`,
    );
    return `${insertValues(table, columns, rowCount, o)}
      ON CONFLICT (${keys.join(", ")}) DO ${updates.length ? `UPDATE SET ${updates.join(", ")}` : "NOTHING"}`;
  },
  insertSelectMissingSql: (table, keys, select) =>
    `INSERT INTO ${table} (${keys.join(", ")}) ${select} ON CONFLICT DO NOTHING`,
};
