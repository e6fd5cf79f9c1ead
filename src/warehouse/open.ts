// Opening the configured warehouse: DuckDB (one writer process per file, named in `<db>.holder.json` so a
// refused second process can say who holds it) or Snowflake (settings checked, connected, session tagged).
// Commands call these; none of them names an engine.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { type Config, duckdbSettings, snowflakeSettings } from "../config/schema.ts";
import { InputError, WarehouseError, WarehouseLockedError } from "../internal/errors.ts";
import { createDuckDbWarehouse } from "./duckdb/index.ts";
import { connect, executor } from "./snowflake/driver.ts";
import { createSnowflakeWarehouse } from "./snowflake/index.ts";
import type { Warehouse } from "./types.ts";

export type OpenOptions = {
  /** The command opening it: written in the holder file and the Snowflake QUERY_TAG. */
  command: string;
  readOnly?: boolean;
};

/** Opens and migrates the configured warehouse (DuckDB: also records this process as the file's holder). */
export async function openWarehouse(config: Config, o: OpenOptions): Promise<Warehouse> {
  if (config.warehouse.kind === "snowflake") return openSnowflake(config.warehouse, o.command);
  const duck = duckdbSettings(config);
  const path = resolve(duck.path);
  const holderFile = `${path}.holder.json`;
  let w: Warehouse;
  try {
    w = await createDuckDbWarehouse({ path: duck.path, readOnly: o.readOnly, memoryLimit: duck.memory_limit });
  } catch (e) {
    throw lockedBy(e, path, holderFile);
  }
  if (!o.readOnly) await w.migrate();
  if (path.endsWith(":memory:")) return w;
  const holder = { command: o.command, pid: process.pid, started_at: new Date().toISOString() };
  writeFileSync(holderFile, `${JSON.stringify(holder)}\n`);
  const close = w.close.bind(w);
  return Object.assign(w, {
    close: async () => {
      await close();
      rmSync(holderFile, { force: true });
    },
  });
}

/** A refused open, in the holder's words when it wrote them. */
function lockedBy(e: unknown, path: string, holderFile: string): unknown {
  if (!(e instanceof WarehouseLockedError)) return e;
  let holder: { command?: string; pid?: number; started_at?: string } = {};
  try {
    holder = JSON.parse(readFileSync(holderFile, "utf8"));
  } catch {
    /* no sidecar: DuckDB's own words */
  }
  if (!holder.pid) return e;
  return new WarehouseLockedError(
    `The database ${path} is in use by 'tronmon ${holder.command}' (pid ${holder.pid}, since ${holder.started_at}). ` +
      "Stop it first, or use another --db. (While 'tronmon watch' runs, use its dashboard and metrics instead.)",
    { cause: e },
  );
}

/**
 * A second handle for readers in the same process (the dashboard beside `watch`): DuckDB shares the open file
 * (one instance per process), Snowflake opens another session.
 */
export async function openReader(config: Config, command: string): Promise<Warehouse> {
  if (config.warehouse.kind === "snowflake") return openWarehouse(config, { command });
  const duck = duckdbSettings(config);
  return createDuckDbWarehouse({ path: duck.path, memoryLimit: duck.memory_limit });
}

type SnowflakeConfig = Extract<Config["warehouse"], { kind: "snowflake" }>;

async function openSnowflake(cfg: SnowflakeConfig, command: string): Promise<Warehouse> {
  const { conn } = await connectSnowflake(cfg);
  const w = await createSnowflakeWarehouse({
    connection: conn,
    batchRows: cfg.batch_rows,
    queryTag: `${cfg.query_tag}:${command}`,
  });
  await w.migrate();
  return w;
}

/** The configured Snowflake session: settings checked (every missing one named), then connected. */
export async function connectSnowflake(cfg: SnowflakeConfig) {
  const s = snowflakeSettings(cfg);
  if (s.missing.length) throw new InputError(`warehouse (snowflake): missing ${s.missing.join(", ")}`);
  const settings = {
    account: s.account!,
    user: s.user!,
    role: s.role!,
    warehouse: s.warehouse!,
    database: s.database!,
    schema: s.schema!,
    authenticator: s.authenticator,
    queryTag: cfg.query_tag,
  };
  try {
    return { conn: await connect(settings), settings };
  } catch (e) {
    // the driver's message names the account and the cause; no secret is part of it
    throw new WarehouseError(
      `Could not connect to Snowflake account ${s.account} as ${s.user}: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** A raw Snowflake session for deploy and doctor: statements run as given (retried on transient errors). */
export async function snowflakeSession(cfg: SnowflakeConfig) {
  const { conn, settings } = await connectSnowflake(cfg);
  return { exec: executor(conn, { retries: 2 }), settings };
}
