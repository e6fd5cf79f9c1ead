// What every command builds first: config, logger, warehouse, client. Closed in one place.
import { createNodeClient, type NodeClient } from "../source/node/client.ts";
import { loadConfig, loadDotEnv } from "../config/load.ts";
import { createLogger, type Logger } from "../internal/logger.ts";
import { createTronscanClient, type TronscanClient } from "../source/tronscan/client.ts";
import type { Config } from "../config/schema.ts";
import { openWarehouse as open, openReader as reader } from "../warehouse/open.ts";
import type { Warehouse } from "../warehouse/types.ts";
import { UsageError } from "../internal/errors.ts";

export type GlobalOptions = { config?: string; db?: string; logLevel?: string; baseUrl?: string };

export type Context = { config: Config; logger: Logger; configPath: string };

export function loadContext(opts: GlobalOptions): Context {
  loadDotEnv();
  const configPath = opts.config ?? "tronmon.config.yaml";
  const config = loadConfig(configPath);
  if (opts.db && config.warehouse.kind === "duckdb") config.warehouse = { ...config.warehouse, path: opts.db };
  if (opts.baseUrl) config.source.base_url = opts.baseUrl;
  const logger = createLogger({
    file: config.logging.file,
    level: config.logging.level,
    terminalLevel: opts.logLevel ?? "warn",
    maxSize: config.logging.max_size,
    maxFiles: config.logging.max_files,
  });
  return { config, logger, configPath };
}

/** Opens and migrates the configured warehouse for this command (see warehouse/open.ts). */
export const openWarehouse = (config: Config, readOnly = false): Promise<Warehouse> =>
  open(config, { command: commandName(), readOnly });

/** A second handle for readers in this process (the dashboard beside `watch`). */
export const openReader = (config: Config): Promise<Warehouse> => reader(config, commandName());

/** The node client of `node:` (the key from the environment, never logged). */
export function createNodeClientFor(config: Config, logger: Logger): NodeClient {
  return createNodeClient({
    baseUrl: config.node.base_url,
    apiKey: process.env[config.node.api_key_env] || null,
    requestsPerSecond: config.node.requests_per_second,
    timeoutMs: config.node.timeout_ms,
    maxRetries: config.node.max_retries,
    logger,
  });
}

export function createClient(
  config: Config,
  logger: Logger,
  onResponse?: (path: string, status: number | "error") => void,
): TronscanClient {
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
 * wallets are synced first unless `setWallets` is false.
 */
export async function withWarehouse<T>(
  opts: GlobalOptions,
  fn: (ctx: Context & { warehouse: Warehouse }) => Promise<T>,
  setWallets = true,
): Promise<T> {
  const ctx = loadContext(opts);
  const warehouse = await openWarehouse(ctx.config);
  try {
    if (setWallets) await warehouse.setWallets(ctx.config.wallets.map((w) => ({ address: w.address, label: w.label })));
    return await fn({ ...ctx, warehouse });
  } finally {
    await warehouse.close();
  }
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * A time given on the command line: an ISO 8601 date (YYYY-MM-DD, UTC midnight) or date-time with `Z` or an
 * offset — nothing else (`12` is not a time), and no impossible date (2024-02-30). UsageError (exit 2) otherwise.
 */
export function parseIsoTime(value: string, flag: string, command: string): number {
  const m = ISO_TIME.exec(value.trim());
  const bad = () =>
    new UsageError(
      `${command}: ${flag} ${JSON.stringify(value)} is not an ISO 8601 date (2026-03-01) or date-time with Z or an offset (2026-03-01T12:00:00Z)`,
    );
  if (!m) throw bad();
  const [, y, mo, d, h, mi, sec] = m;
  const probe = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (
    probe.getUTCFullYear() !== Number(y) ||
    probe.getUTCMonth() !== Number(mo) - 1 ||
    probe.getUTCDate() !== Number(d)
  )
    throw bad();
  if (
    (h !== undefined && Number(h) > 23) ||
    (mi !== undefined && Number(mi) > 59) ||
    (sec !== undefined && Number(sec) > 59)
  )
    throw bad();
  const ms = Date.parse(m[4] === undefined ? `${y}-${mo}-${d}T00:00:00Z` : value.trim());
  if (!Number.isFinite(ms)) throw bad();
  return ms;
}

/** `--now`: an ISO time, or the current time when absent. */
export function parseNow(now: string | undefined, command: string): number {
  return now === undefined ? Date.now() : parseIsoTime(now, "--now", command);
}

/** A whole number argument within bounds (UsageError, exit 2, otherwise). */
export function parseCount(
  value: string | undefined,
  flag: string,
  command: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`${command}: ${flag} ${JSON.stringify(value)} must be a whole number from ${min} to ${max}`);
  return n;
}

/** The command being run (for the holder file and the Snowflake QUERY_TAG): global options and their values skipped. */
export function commandName(argv = process.argv.slice(2)): string {
  const takesValue = new Set(["-c", "--config", "--db", "--log-level", "--base-url"]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (takesValue.has(a)) {
      i++;
      continue;
    }
    if (!a.startsWith("-")) return a;
  }
  return "cli";
}
