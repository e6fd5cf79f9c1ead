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
  // via HUGEINT: a direct VARCHAR -> DECIMAL cast costs ~10 µs a row, this ~0.1 µs; both give NULL past 38 digits
  toRawAmount: (text) => `TRY_CAST(TRY_CAST(${text} AS HUGEINT) AS DECIMAL(38,0))`,
  toJson: (text) => text,
  // milliseconds: watermarks over load times are kept in ms, so a load time must not carry microseconds past them
  now: () => `date_trunc('millisecond', CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP))`,
  nowMs: () => `epoch_ms(now())`,
  timestampToMs: (ts) => `epoch_ms(${ts})`,
  framedMedian: true,
  insertMissingSql: (table, columns, keys, rowCount) => {
    const row = `(${columns.map(() => "?").join(", ")})`;
    return `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${Array.from({ length: rowCount }, () => row).join(", ")} ON CONFLICT (${keys.join(", ")}) DO NOTHING`;
  },
  upsertSql: (table, columns, keys, rowCount) => {
    const row = `(${columns.map(() => "?").join(", ")})`;
    const updates = columns.filter((c) => !keys.includes(c)).map((c) => `${c} = excluded.${c}`);
    return `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${Array.from({ length: rowCount }, () => row).join(", ")}
      ON CONFLICT (${keys.join(", ")}) DO ${updates.length ? `UPDATE SET ${updates.join(", ")}` : "NOTHING"}`;
  },
};
