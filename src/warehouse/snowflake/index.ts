// The Snowflake warehouse: the engine-neutral core over a Snowflake driver. Staging binds arrays of rows into
// temporary tables in large batches (never a statement per row); a MERGE reports what it inserted and updated;
// a transaction that fails on a transient error is rolled back and retried whole (every load is idempotent).
// Every session is tagged (QUERY_TAG).
import { doubling, retrying } from "../../internal/retry.ts";
import { createWarehouse } from "../core.ts";
import type { Driver, Exec, Tx } from "../driver.ts";
import { stageColumnNames, stageValues } from "../stage.ts";
import type { Warehouse } from "../types.ts";
import { snowflakeDialect } from "./dialect.ts";
import { executor, isTransient, type SfConnection, type SfError } from "./driver.ts";

export type SnowflakeOptions = {
  connection: SfConnection;
  batchRows?: number;
  queryTag?: string;
  retries?: number;
  sleep?: (ms: number) => Promise<void>;
};

/** Snowflake answers unquoted identifiers in upper case; the builders read lower case. Integers arrive as
 *  BigInt and are handed on as strings, like DuckDB's rows (exact, whatever their size). */
const lowerKeys = (r: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), typeof v === "bigint" ? v.toString() : v]));

export async function snowflakeDriver(o: SnowflakeOptions): Promise<Driver> {
  const batchRows = o.batchRows ?? 10_000;
  const retries = o.retries ?? 4;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const lowered =
    (exec: ReturnType<typeof executor>): Exec =>
    async (sql, binds) =>
      (await exec(sql, binds)).map(lowerKeys);
  const run = lowered(executor(o.connection, { retries, sleep })); // single statements outside transactions
  const inTx = lowered(executor(o.connection, { retries: 0 })); // inside a transaction the whole unit is retried
  await run(`ALTER SESSION SET QUERY_TAG = '${(o.queryTag ?? "tronmon").replace(/'/g, "")}', TIMEZONE = 'UTC'`);

  const tx: Tx = {
    run: inTx,
    /** Array binding: one INSERT per `batchRows` rows. */
    stage: async (table, cols, rows) => {
      const names = stageColumnNames(cols);
      const sql = `INSERT INTO ${table} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`;
      for (let i = 0; i < rows.length; i += batchRows)
        await inTx(sql, rows.slice(i, i + batchRows).map((r) => stageValues(cols, r)) as never);
    },
    merge: async (_table, sql) => {
      const [r] = await inTx(sql);
      return {
        inserted: Number(r?.["number of rows inserted"] ?? 0),
        updated: Number(r?.["number of rows updated"] ?? 0),
      };
    },
    changes: async (sql) => {
      const [r] = await inTx(sql);
      return Number(r?.["number of rows updated"] ?? r?.["number of rows deleted"] ?? 0);
    },
  };
  return {
    dialect: snowflakeDialect,
    description: "snowflake",
    run,
    // a transaction that failed on a transient error is rolled back and retried whole
    transaction: (fn) =>
      retrying(
        async () => {
          await inTx("BEGIN");
          try {
            const out = await fn(tx);
            await inTx("COMMIT");
            return out;
          } catch (e) {
            await inTx("ROLLBACK").catch(() => undefined);
            throw e;
          }
        },
        { retries, retryable: (e) => isTransient(e as SfError), delayMs: doubling(500), sleep },
      ),
    close: () =>
      new Promise<void>((resolve) => (o.connection.destroy ? o.connection.destroy(() => resolve()) : resolve())),
  };
}

export const createSnowflakeWarehouse = async (o: SnowflakeOptions): Promise<Warehouse> =>
  createWarehouse(await snowflakeDriver(o));
