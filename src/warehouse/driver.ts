// What an engine's driver must offer the warehouse core: run a statement, stage rows, run a MERGE, one
// transaction. DuckDB's and Snowflake's drivers implement it; everything else is engine-neutral.
import type { StageColumn } from "./stage.ts";
import type { Dialect } from "./types.ts";

export type Row = Record<string, unknown>;
/** Runs one statement with positional parameters; rows come back with lower-case keys, big integers as strings. */
export type Exec = (sql: string, params?: unknown[]) => Promise<Row[]>;

/** What a driver offers inside one transaction. */
export type Tx = {
  run: Exec;
  /** Writes rows into a temporary staging table in `cols` order (DuckDB's appender, Snowflake's array binds). */
  stage<R>(table: string, cols: readonly StageColumn<R>[], rows: readonly R[]): Promise<void>;
  /** Runs a MERGE into `table`; how many rows it inserted and how many it updated. */
  merge(table: string, sql: string): Promise<{ inserted: number; updated: number }>;
  /** Runs an UPDATE or DELETE; how many rows it changed. */
  changes(sql: string): Promise<number>;
};

/** The little an engine must do itself. */
export type Driver = {
  readonly dialect: Dialect;
  readonly description: string;
  /** One statement outside a transaction (retried on transient errors where the engine has them). */
  run: Exec;
  /** Runs `fn` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};
