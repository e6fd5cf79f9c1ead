// What every command builds first: config, logger, warehouse, client. Closed in one place.
import { loadConfig, loadDotEnv } from "../config/load.ts";
import { createLogger, type Logger } from "../internal/logger.ts";
import { createDuckDbWarehouse } from "../warehouse/duckdb/index.ts";
import { createTronscanClient, type TronscanClient } from "../source/tronscan/client.ts";
import type { Config } from "../config/schema.ts";
import type { Warehouse } from "../warehouse/types.ts";
import { UsageError } from "../internal/errors.ts";

export type GlobalOptions = { config?: string; db?: string; logLevel?: string; baseUrl?: string };

export type Context = { config: Config; logger: Logger; configPath: string };

export function loadContext(opts: GlobalOptions): Context {
  loadDotEnv();
  const configPath = opts.config ?? "tronmon.config.yaml";
  const config = loadConfig(configPath);
  if (opts.db) config.warehouse = { ...config.warehouse, path: opts.db };
  if (opts.baseUrl) config.source.base_url = opts.baseUrl;
  const logger = createLogger({ file: config.logging.file, level: config.logging.level, terminalLevel: opts.logLevel ?? "warn" });
  return { config, logger, configPath };
}

export async function openWarehouse(config: Config, readOnly = false): Promise<Warehouse> {
  const w = await createDuckDbWarehouse({ path: config.warehouse.path, readOnly, memoryLimit: config.warehouse.memory_limit });
  if (!readOnly) await w.migrate();
  return w;
}

export function createClient(config: Config, logger: Logger): TronscanClient {
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
