// Snowflake's spelling of what the builders need. Types: raw amounts NUMBER(38,0), times TIMESTAMP_TZ
// (always written in UTC), JSON as VARIANT. Upserts are MERGEs from a VALUES list. The rest of the SQL is
// shared with DuckDB.
import type { Dialect, WriteOptions } from "../types.ts";
import type { ColumnType } from "../../model/columns.ts";

const TYPES: Record<ColumnType, string> = {
  text: "VARCHAR",
  int: "NUMBER(10,0)",
  bigint: "NUMBER(19,0)",
  bool: "BOOLEAN",
  timestamp: "TIMESTAMP_TZ",
  raw_amount: "NUMBER(38,0)",
  json: "VARIANT",
};

/** `MERGE INTO table t USING (rows as s) ON keys`: JSON parsed and conversions applied in the source. */
function mergeFromValues(
  table: string,
  columns: readonly string[],
  keys: readonly string[],
  n: number,
  o: WriteOptions,
) {
  const row = `(${columns.map(() => "?").join(", ")})`;
  const cell = (c: string) => {
    const conv = o.convert?.[c] ?? (o.json?.includes(c) ? (ref: string) => `PARSE_JSON(${ref})` : null);
    return conv ? `${conv(c)} AS ${c}` : c;
  };
  const select = columns.some((c) => o.convert?.[c] || o.json?.includes(c)) ? columns.map(cell).join(", ") : "*";
  const values = Array.from({ length: n }, () => row).join(", ");
  return `MERGE INTO ${table} t USING (SELECT ${select} FROM VALUES ${values} AS v (${columns.join(", ")})) s
      ON ${keys.map((k) => `t.${k} = s.${k}`).join(" AND ")}`;
}
const insertNotMatched = (columns: readonly string[]) =>
  `WHEN NOT MATCHED THEN INSERT (${columns.join(", ")}) VALUES (${columns.map((c) => `s.${c}`).join(", ")})`;

export const snowflakeDialect: Dialect = {
  name: "snowflake",
  columnType: (t) => TYPES[t],
  msToTimestamp: (ms) => `TO_TIMESTAMP_TZ(${ms}, 3)`,
  // TRY_TO_NUMBER gives NULL past 38 digits (a uint256 scam amount): the text column keeps it whole
  toRawAmount: (text) => `TRY_TO_NUMBER(${text}, 38, 0)`,
  toJson: (text) => `PARSE_JSON(${text})`,
  jsonText: (expr) => `TO_JSON(${expr})`,
  now: () => "CONVERT_TIMEZONE('UTC', CURRENT_TIMESTAMP(3))",
  nowMs: () => "DATE_PART(EPOCH_MILLISECOND, CURRENT_TIMESTAMP())",
  timestampToMs: (ts) => `DATE_PART(EPOCH_MILLISECOND, ${ts})`,
  framedMedian: false,
  transactionalDdl: false,
  insertMissingSql: (table, columns, keys, rowCount, o = {}) =>
    `${mergeFromValues(table, columns, keys, rowCount, o)}
      ${insertNotMatched(columns)}`,
  upsertSql: (table, columns, keys, rowCount, o = {}) => {
    const updates = (o.update ?? columns.filter((c) => !keys.includes(c))).map((c) =>
      o.keepWhenNull?.includes(c) ? `${c} = COALESCE(s.${c}, t.${c})` : `${c} = s.${c}`,
    );
    return `${mergeFromValues(table, columns, keys, rowCount, o)}${updates.length ? `\n      WHEN MATCHED THEN UPDATE SET ${updates.join(", ")}` : ""}
      ${insertNotMatched(columns)}`;
  },
  insertSelectMissingSql: (table, keys, select) =>
    `MERGE INTO ${table} t USING (${select}) s ON ${keys.map((k) => `t.${k} = s.${k}`).join(" AND ")}
      ${insertNotMatched(keys)}`,
};
