// DuckDB: embedded, one writer process per file. The driver opens the file (naming the holder when it is
// locked), runs statements on one connection, stages rows through the Appender into temporary tables and
// counts what a MERGE inserted by the table's growth.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type DuckDBAppender, type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { WarehouseError, WarehouseLockedError } from "../../internal/errors.ts";
import type { Driver, Exec, Tx } from "../driver.ts";
import type { StageColumn } from "../stage.ts";
import { duckdbDialect } from "./dialect.ts";

export type DuckDbOptions = { path: string; readOnly?: boolean; memoryLimit?: string };

async function openInstance(path: string, readOnly?: boolean): Promise<DuckDBInstance> {
  try {
    if (path === ":memory:") return await DuckDBInstance.create(":memory:");
    return await DuckDBInstance.fromCache(path, readOnly ? { access_mode: "READ_ONLY" } : {});
  } catch (e) {
    const msg = (e as Error).message;
    if (/lock/i.test(msg)) {
      const holder = /held in (.+?)(?:\.|$|\n)/.exec(msg)?.[1] ?? "another process";
      throw new WarehouseLockedError(
        `The database ${path} is in use by ${holder}. Stop that process (a running 'tronmon watch', 'run', ` +
          "'import' or 'dashboard') or use another --db.",
        { cause: e },
      );
    }
    throw new WarehouseError(`Could not open DuckDB database ${path}: ${msg}`, { cause: e });
  }
}

export async function duckDbDriver(o: DuckDbOptions): Promise<Driver> {
  const path = o.path === ":memory:" ? ":memory:" : resolve(o.path);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const instance = await openInstance(path, o.readOnly);
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'").catch(() => undefined);
  // Fewer, larger checkpoints during bulk loads (the WAL still makes every commit durable).
  if (!o.readOnly) await conn.run("SET checkpoint_threshold = '256MB'").catch(() => undefined);
  if (o.memoryLimit) await conn.run(`SET memory_limit = '${o.memoryLimit.replace(/[^0-9A-Za-z.]/g, "")}'`);

  const run: Exec = async (sql, params = []) =>
    (await conn.runAndReadAll(sql, params as never)).getRowObjectsJson() as Record<string, unknown>[];
  const size = async (table: string) =>
    Number((await conn.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0][0]);
  const tx: Tx = {
    run,
    stage: (table, cols, rows) => appendStage(conn, table, cols, rows),
    /** What a MERGE inserted is the growth of the table; the rest of the rows it touched it changed. */
    merge: async (table, sql) => {
      const before = await size(table);
      const result = await conn.run(sql);
      const inserted = (await size(table)) - before;
      return { inserted, updated: Number(result.rowsChanged) - inserted };
    },
    changes: async (sql) => Number((await conn.run(sql)).rowsChanged),
  };
  return {
    dialect: duckdbDialect,
    description: `duckdb:${path}`,
    run,
    transaction: async (fn) => {
      await conn.run("BEGIN TRANSACTION");
      try {
        const out = await fn(tx);
        await conn.run("COMMIT");
        return out;
      } catch (e) {
        await conn.run("ROLLBACK").catch(() => undefined);
        throw e;
      }
    },
    close: async () => {
      conn.closeSync();
      instance.closeSync(); // releases the file (and its lock) once no other handle in this process uses it
    },
  };
}

/** Appends rows to a staging table in its stage column order (see ../stage.ts). */
async function appendStage<R>(
  conn: DuckDBConnection,
  table: string,
  cols: readonly StageColumn<R>[],
  rows: readonly R[],
) {
  const ap: DuckDBAppender = await conn.createAppender(table, "main", "temp");
  for (const r of rows) {
    for (const [, type, value] of cols) {
      const v = value(r);
      if (v === null) ap.appendNull();
      else if (type === "text") ap.appendVarchar(String(v));
      else if (type === "bigint") ap.appendBigInt(BigInt(v as number));
      else if (type === "int") ap.appendInteger(v as number);
      else ap.appendBoolean(v as boolean);
    }
    ap.endRow();
  }
  ap.flushSync();
  ap.closeSync();
}
