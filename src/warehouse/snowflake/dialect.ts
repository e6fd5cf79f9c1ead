// Snowflake's spelling of what the builders need. Types: raw amounts NUMBER(38,0), times TIMESTAMP_TZ
// (always written in UTC), JSON as VARIANT. The rest of the SQL is shared with DuckDB.
import type { ColumnType, Dialect } from "../types.ts";

const TYPES: Record<ColumnType, string> = {
  text: "VARCHAR",
  int: "NUMBER(10,0)",
  bigint: "NUMBER(19,0)",
  bool: "BOOLEAN",
  timestamp: "TIMESTAMP_TZ",
  raw_amount: "NUMBER(38,0)",
  json: "VARIANT",
};

export const snowflakeDialect: Dialect = {
  name: "snowflake",
  columnType: (t) => TYPES[t],
  msToTimestamp: (ms) => `TO_TIMESTAMP_TZ(${ms}, 3)`,
  // TRY_TO_NUMBER gives NULL past 38 digits (a uint256 scam amount): the text column keeps it whole
  toRawAmount: (text) => `TRY_TO_NUMBER(${text}, 38, 0)`,
  toJson: (text) => `PARSE_JSON(${text})`,
  now: () => "CONVERT_TIMEZONE('UTC', CURRENT_TIMESTAMP(3))",
  nowMs: () => "DATE_PART(EPOCH_MILLISECOND, CURRENT_TIMESTAMP())",
  timestampToMs: (ts) => `DATE_PART(EPOCH_MILLISECOND, ${ts})`,
  framedMedian: false,
  insertMissingSql: (table, columns, keys, rowCount, json = []) => {
    const row = `(${columns.map(() => "?").join(", ")})`;
    const select = columns.map((c) => (json.includes(c) ? `PARSE_JSON(${c}) AS ${c}` : c)).join(", ");
    return `MERGE INTO ${table} t USING (SELECT ${select} FROM VALUES ${Array.from({ length: rowCount }, () => row).join(", ")} AS v (${columns.join(", ")})) s
      ON ${keys.map((k) => `t.${k} = s.${k}`).join(" AND ")}
      WHEN NOT MATCHED THEN INSERT (${columns.join(", ")}) VALUES (${columns.map((c) => `s.${c}`).join(", ")})`;
  },
  upsertSql: (table, columns, keys, rowCount) => {
    const row = `(${columns.map(() => "?").join(", ")})`;
    const on = keys.map((k) => `t.${k} = s.${k}`).join(" AND ");
    const updates = columns.filter((c) => !keys.includes(c)).map((c) => `${c} = s.${c}`);
    return `MERGE INTO ${table} t USING (SELECT * FROM VALUES ${Array.from({ length: rowCount }, () => row).join(", ")} AS v (${columns.join(", ")})) s
      ON ${on}${updates.length ? `\n      WHEN MATCHED THEN UPDATE SET ${updates.join(", ")}` : ""}
      WHEN NOT MATCHED THEN INSERT (${columns.join(", ")}) VALUES (${columns.map((c) => `s.${c}`).join(", ")})`;
  },
};
