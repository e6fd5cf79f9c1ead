// What every command builds first: config, logger, warehouse, client. Closed in one place.
import { loadConfig, loadDotEnv } from "../config/load.ts";
import { createLogger, type Logger } from "../internal/logger.ts";
import { createDuckDbWarehouse } from "../warehouse/duckdb/index.ts";
import { createTronscanClient, type TronscanClient } from "../source/tronscan/client.ts";
import { duckdbSettings, snowflakeSettings, type Config } from "../config/schema.ts";
import { createSnowflakeWarehouse } from "../warehouse/snowflake/index.ts";
import { connect } from "../warehouse/snowflake/driver.ts";
import type { Warehouse } from "../warehouse/types.ts";
import { InputError, UsageError, WarehouseError, WarehouseLockedError } from "../internal/errors.ts";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

export type GlobalOptions = { config?: string; db?: string; logLevel?: string; baseUrl?: string };

export type Context = { config: Config; logger: Logger; configPath: string };

export function loadContext(opts: GlobalOptions): Context {
  loadDotEnv();
  const configPath = opts.config ?? "tronmon.config.yaml";
  const config = loadConfig(configPath);
  if (opts.db && config.warehouse.kind === "duckdb") config.warehouse = { ...config.warehouse, path: opts.db };
  if (opts.baseUrl) config.source.base_url = opts.baseUrl;
  const logger = createLogger({ file: config.logging.file, level: config.logging.level, terminalLevel: opts.logLevel ?? "warn", maxSize: config.logging.max_size, maxFiles: config.logging.max_files });
  return { config, logger, configPath };
}

/**
 * Opens the warehouse. DuckDB lets one process hold the file: the holder writes `<db>.holder.json`
 * (command, pid, start) beside it so that a refused second process can name it.
 */
export async function openWarehouse(config: Config, readOnly = false): Promise<Warehouse> {
  if (config.warehouse.kind === "snowflake") return openSnowflake(config.warehouse);
  const duck = duckdbSettings(config);
  const path = resolve(duck.path);
  const holderFile = `${path}.holder.json`;
  let w: Warehouse;
  try {
    w = await createDuckDbWarehouse({ path: duck.path, readOnly, memoryLimit: duck.memory_limit });
  } catch (e) {
    if (!(e instanceof WarehouseLockedError)) throw e;
    let holder: { command?: string; pid?: number; started_at?: string } = {};
    try { holder = JSON.parse(readFileSync(holderFile, "utf8")); } catch { /* no sidecar: DuckDB's own words */ }
    if (!holder.pid) throw e;
    throw new WarehouseLockedError(`The database ${path} is in use by 'tronmon ${holder.command}' (pid ${holder.pid}, since ${holder.started_at}). Stop it first, or use another --db. (While 'tronmon watch' runs, use its dashboard and metrics instead.)`, { cause: e });
  }
  if (!readOnly) await w.migrate();
  if (path.endsWith(":memory:")) return w;
  writeFileSync(holderFile, JSON.stringify({ command: process.argv.slice(2).find((a) => !a.startsWith("-")) ?? "?", pid: process.pid, started_at: new Date().toISOString() }) + "\n");
  const close = w.close.bind(w);
  return Object.assign(w, { close: async () => { await close(); rmSync(holderFile, { force: true }); } });
}

export function createClient(config: Config, logger: Logger, onResponse?: (path: string, status: number | "error") => void): TronscanClient {
  const apiKey = process.env[config.source.api_key_env] || null;
  return createTronscanClient({
    baseUrl: config.source.base_url,
    apiKey,
    requestsPerSecond: apiKey ? config.source.requests_per_second_with_key : config.source.requests_per_second,
    burst: config.source.burst,
    timeoutMs: config.source.timeout_ms,
    maxRetries: config.source.max_retries,
    baseDelayMs: config.source.retry_base_delay_ms,
    logger,
    onResponse,
  });
}

/**
 * Runs a command body with the config and an open, migrated warehouse (closed afterwards); the watched
 * wallets are synced first unless `syncWallets` is false.
 */
export async function withWarehouse<T>(opts: GlobalOptions, fn: (ctx: Context & { warehouse: Warehouse }) => Promise<T>, syncWallets = true): Promise<T> {
  const ctx = loadContext(opts);
  const warehouse = await openWarehouse(ctx.config);
  try {
    if (syncWallets) await warehouse.syncWallets(ctx.config.wallets.map((w) => ({ address: w.address, label: w.label })));
    return await fn({ ...ctx, warehouse });
  } finally {
    await warehouse.close();
  }
}

/** `--now`: an ISO time, or the current time when absent. */
export function parseNow(now: string | undefined, command: string): number {
  if (!now) return Date.now();
  const ms = Date.parse(now);
  if (!Number.isFinite(ms)) throw new UsageError(`${command}: --now ${JSON.stringify(now)} is not an ISO 8601 time`);
  return ms;
}

/** Snowflake: connect with the official driver (settings from the config or SNOWFLAKE_*), tag the session, migrate. */
async function openSnowflake(cfg: SnowflakeConfig): Promise<Warehouse> {
  const { conn } = await connectSnowflake(cfg);
  const w = await createSnowflakeWarehouse({ connection: conn, batchRows: cfg.batch_rows, queryTag: `${cfg.query_tag}:${process.argv.slice(2).find((a) => !a.startsWith("-")) ?? "cli"}` });
  await w.migrate();
  return w;
}

type SnowflakeConfig = Extract<Config["warehouse"], { kind: "snowflake" }>;

/** The configured Snowflake session: settings checked (every missing one named), then connected. */
export async function connectSnowflake(cfg: SnowflakeConfig) {
  const s = snowflakeSettings(cfg);
  if (s.missing.length) throw new InputError(`warehouse (snowflake): missing ${s.missing.join(", ")}`);
  const settings = { account: s.account!, user: s.user!, role: s.role!, warehouse: s.warehouse!, database: s.database!, schema: s.schema!, authenticator: s.authenticator, queryTag: cfg.query_tag };
  try {
    return { conn: await connect(settings), settings };
  } catch (e) {
    // the driver's message names the account and the cause; no secret is part of it
    throw new WarehouseError(`Could not connect to Snowflake account ${s.account} as ${s.user}: ${(e as Error).message}`, { cause: e });
  }
}
