// The config file's schema: strict (unknown keys are errors), every setting with its default.
import { USDT_CONTRACT } from "../model/tokens.ts";
import { z } from "zod";
import { Cron } from "croner";
import { UsageError } from "../internal/errors.ts";
import { addressProblem } from "../model/address.ts";
import { ANOMALY_TYPES } from "../model/anomaly-types.ts";
import { riskSchema } from "./risk-schema.ts";

const address = z.string().superRefine((v, ctx) => {
  const p = addressProblem(v);
  if (p) ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is not a TRON address: ${p}` });
});

const isoDate = z.string().refine((v) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(v) && Number.isFinite(Date.parse(v)), {
  message: "must be an ISO 8601 date such as 2024-01-01",
});

/** A per-request timeout: bounded (a timer past ~24.8 days fires at once, past that it throws). */
const timeoutMs = z
  .number()
  .int()
  .min(100)
  .max(600_000)
  .default(20000)
  .describe("Per-request timeout (100 ms to 10 min)");
/** A cap on one answer's size: a larger body is refused (and retried) instead of filling the memory. */
const maxResponseMb = z
  .number()
  .positive()
  .max(1024)
  .default(64)
  .describe("Largest answer read, in MiB: a larger body is cut off and treated as a failed request");
/**
 * An API's base URL: http or https, without credentials, query or fragment (fetch cannot send `user:pass@`, and a
 * secret there would reach logs and reports: keys belong in the environment, see api_key_env).
 */
const baseUrl = (fallback: string, what: string) =>
  z
    .url()
    .superRefine((v, ctx) => {
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        return;
      }
      if (u.protocol !== "http:" && u.protocol !== "https:")
        ctx.addIssue({ code: "custom", message: `must be an http or https URL, not ${u.protocol}` });
      if (u.username || u.password)
        ctx.addIssue({
          code: "custom",
          message:
            "must not hold credentials (user:password@): put the key in the environment variable api_key_env names",
        });
      if (u.search || u.hash)
        ctx.addIssue({ code: "custom", message: "must not hold a query or fragment (a key there would be logged)" });
    })
    .default(fallback)
    .describe(what);

export const sourceSchema = z.strictObject({
  base_url: baseUrl("https://apilist.tronscanapi.com", "TronScan API base URL"),
  api_key_env: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/)
    .default("TRONSCAN_API_KEY")
    .describe("Environment variable holding the API key (sent as TRON-PRO-API-KEY)"),
  requests_per_second: z.number().positive().max(1000).default(3).describe("Token-bucket rate without an API key"),
  requests_per_second_with_key: z
    .number()
    .positive()
    .max(1000)
    .default(8)
    .describe("Token-bucket rate when an API key is set"),
  burst: z.number().int().positive().max(1000).default(3).describe("Requests that may go out back to back"),
  concurrency: z
    .number()
    .int()
    .positive()
    .max(16)
    .default(2)
    .describe("Wallet/endpoint streams synced in parallel (all share the rate limit)"),
  timeout_ms: timeoutMs,
  max_response_mb: maxResponseMb,
  max_retries: z
    .number()
    .int()
    .min(0)
    .max(20)
    .default(6)
    .describe("Retries of 429/403/5xx/timeouts/truncated bodies before the run fails"),
  retry_base_delay_ms: z
    .number()
    .int()
    .min(1)
    .max(60000)
    .default(500)
    .describe("First backoff delay; doubles per retry (with jitter, capped at 30 s) unless Retry-After says otherwise"),
  history_start: isoDate.nullable().default(null).describe("Oldest activity to backfill (null: the whole history)"),
  overlap_minutes: z
    .number()
    .min(0)
    .max(1440)
    .default(10)
    .describe("How far back each incremental run re-reads to catch late rows"),
  pending_max_age_hours: z
    .number()
    .min(0)
    .max(168)
    .default(6)
    .describe("Unconfirmed rows younger than this are re-read until they confirm"),
  live: z
    .enum(["tronscan", "node"])
    .default("tronscan")
    .describe("Where new activity comes from: TronScan per wallet, or a node's blocks (see node:)"),
});

export const nodeSchema = z.strictObject({
  base_url: baseUrl("https://api.trongrid.io", "java-tron HTTP API (TronGrid or one's own full node)"),
  api_key_env: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/)
    .default("TRONGRID_API_KEY")
    .describe("Environment variable holding the TronGrid key (sent as TRON-PRO-API-KEY)"),
  requests_per_second: z.number().positive().max(1000).default(10).describe("Token-bucket rate"),
  timeout_ms: timeoutMs,
  max_response_mb: maxResponseMb,
  max_retries: z.number().int().min(0).max(20).default(6).describe("Retries of throttling, 5xx and timeouts"),
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(32)
    .default(4)
    .describe("Transaction-info requests in flight at once while following a range (the rate limit still holds)"),
  start_block: z
    .number()
    .int()
    .min(0)
    .nullable()
    .default(null)
    .describe("First block to follow (null: the solidified head at the first run; history comes from TronScan)"),
  max_blocks_per_run: z
    .number()
    .int()
    .positive()
    .default(28800)
    .describe("Blocks one `tronmon follow` processes at most (28,800 = a day)"),
  poll_seconds: z
    .number()
    .positive()
    .max(600)
    .default(3)
    .describe("watch with source.live node: how often the follower asks for new blocks (a block every 3 s)"),
  max_blocks_per_pass: z
    .number()
    .int()
    .positive()
    .default(1000)
    .describe("watch: blocks a pass follows before rules, anomalies and notifications run (catching up in steps)"),
  max_future_seconds: z
    .number()
    .int()
    .min(0)
    .max(86400)
    .default(60)
    .describe(
      "How far past this machine's clock a block may be dated before it is refused (clock skew; raise it only for " +
        "an emulator run with --speed)",
    ),
  fast_lane: z
    .boolean()
    .default(false)
    .describe(
      "Also load blocks past the solidified head as unconfirmed (alerts seconds after a block, marked unconfirmed); " +
        "confirmed or dropped when solidified",
    ),
});

export const duckdbWarehouseSchema = z.strictObject({
  kind: z.literal("duckdb").default("duckdb"),
  path: z.string().min(1).default("data/tronmon.duckdb").describe("DuckDB database file (--db overrides)"),
  memory_limit: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, "must be a size such as 512MB or 2GB")
    .default("1GB")
    .describe("DuckDB buffer memory limit; larger data spills to disk"),
});

const sfName = z
  .string()
  .regex(/^[A-Za-z0-9_$.-]+$/, "letters, digits, _ $ . - only")
  .nullable()
  .default(null);
/** Snowflake: every connection setting may come from the environment instead (SNOWFLAKE_ACCOUNT, ...). */
export const snowflakeWarehouseSchema = z.strictObject({
  kind: z.literal("snowflake"),
  account: sfName.describe("Account identifier (orgname-accountname); else SNOWFLAKE_ACCOUNT"),
  user: sfName.describe("Service user; else SNOWFLAKE_USER"),
  role: sfName.describe("Role; else SNOWFLAKE_ROLE"),
  warehouse: sfName.describe("Virtual warehouse; else SNOWFLAKE_WAREHOUSE"),
  database: sfName.describe("Database; else SNOWFLAKE_DATABASE"),
  schema: sfName.describe("Schema; else SNOWFLAKE_SCHEMA"),
  authenticator: z
    .enum(["key_pair", "password", "token"])
    .default("key_pair")
    .describe(
      "key_pair: SNOWFLAKE_PRIVATE_KEY_PATH (+ SNOWFLAKE_PRIVATE_KEY_PASSPHRASE); password: SNOWFLAKE_PASSWORD; token: a programmatic access token in SNOWFLAKE_TOKEN",
    ),
  query_tag: z
    .string()
    .max(200)
    .default("tronmon")
    .describe("QUERY_TAG prefix: cost per step in Snowflake's query history"),
  batch_rows: z.number().int().min(100).max(1_000_000).default(10_000).describe("Rows bound per staging insert"),
});

export const warehouseSchema = z.discriminatedUnion("kind", [duckdbWarehouseSchema, snowflakeWarehouseSchema]);

const SF_ENV = {
  account: "SNOWFLAKE_ACCOUNT",
  user: "SNOWFLAKE_USER",
  role: "SNOWFLAKE_ROLE",
  warehouse: "SNOWFLAKE_WAREHOUSE",
  database: "SNOWFLAKE_DATABASE",
  schema: "SNOWFLAKE_SCHEMA",
} as const;

/** Snowflake settings with the environment filled in, and what is still missing (in plain words). */
export function snowflakeSettings(w: z.infer<typeof snowflakeWarehouseSchema>, env = process.env) {
  const out = Object.fromEntries(
    Object.entries(SF_ENV).map(([k, e]) => [k, w[k as keyof typeof SF_ENV] ?? env[e] ?? null]),
  ) as Record<keyof typeof SF_ENV, string | null>;
  const missing = Object.entries(SF_ENV)
    .filter(([k]) => !out[k as keyof typeof SF_ENV])
    .map(([k, e]) => `warehouse.${k} (or ${e})`);
  const secret = { key_pair: "SNOWFLAKE_PRIVATE_KEY_PATH", password: "SNOWFLAKE_PASSWORD", token: "SNOWFLAKE_TOKEN" }[
    w.authenticator
  ];
  if (!env[secret]) missing.push(`${secret} (authenticator ${w.authenticator})`);
  return { ...out, authenticator: w.authenticator, secretEnv: secret, missing };
}

export const outputSchema = z.strictObject({
  dir: z.string().min(1).default("out").describe("Output folder: raw/, structured/, quarantine/ ..."),
  raw_archive: z.boolean().default(true).describe("Keep every fetched page, gzip-compressed, under <dir>/raw/"),
  structured: z.boolean().default(true).describe("Write each run's normalized rows as NDJSON under <dir>/structured/"),
});

export const loggingSchema = z.strictObject({
  file: z.string().min(1).default("logs/etl_tronscan.log").describe("JSON log file, one line per event"),
  level: z.enum(["trace", "debug", "info", "warn", "error"]).default("info"),
  max_size: z
    .string()
    .regex(/^\d+[BKMG]$/, "must be a size such as 10M or 500K")
    .default("10M")
    .describe("Rotate the log file at this size (B, K, M, G)"),
  max_files: z.number().int().min(1).max(100).default(5).describe("Rotated log files kept"),
});

const duration = z.string().regex(/^\d+(ms|s|m|h)$/, "must be a duration such as 10m, 90s or 1h");
export const durationMs = (v: string) => {
  const [, n, unit] = /^(\d+)(ms|s|m|h)$/.exec(v)!;
  return Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as "ms" | "s" | "m" | "h"];
};

export const scheduleSchema = z.strictObject({
  every: duration
    .default("10m")
    .describe("Interval between cycle starts in `tronmon watch` (the first cycle runs at start)"),
  cron: z
    .string()
    .superRefine((v, ctx) => {
      try {
        new Cron(v, { timezone: "UTC", paused: true });
      } catch (e) {
        ctx.addIssue({
          code: "custom",
          message: `${JSON.stringify(v)} is not a cron expression: ${(e as Error).message}`,
        });
      }
    })
    .nullable()
    .default(null)
    .describe("Or a cron expression in UTC (5 or 6 fields); replaces `every` when set"),
});

export const verifySchema = z.strictObject({
  days: z
    .number()
    .int()
    .min(1)
    .max(90)
    .default(2)
    .describe("The rolling verify in watch checks the last this many UTC days (today included)"),
  every_cycles: z
    .number()
    .int()
    .min(0)
    .default(6)
    .describe(
      "watch verifies every this many cycles (0: never); each costs wallets x 4 streams x days requests, plus repairs",
    ),
  max_requests: z
    .number()
    .int()
    .min(1)
    .default(5000)
    .describe("Requests one verify may spend (counts and repairs); days past it are reported unchecked"),
  max_repair_requests: z
    .number()
    .int()
    .min(1)
    .default(200)
    .describe("Requests the repair of one wallet-stream-day may spend; a count it cannot meet is reported unreliable"),
});

export const healthSchema = z.strictObject({
  consecutive_failures: z
    .number()
    .int()
    .min(1)
    .default(2)
    .describe("Open a health alert after this many failed cycles in a row"),
  max_wallet_lag_minutes: z
    .number()
    .int()
    .min(1)
    .default(60)
    .describe("Open a health alert when a wallet's data is complete only up to longer ago than this"),
  max_throttled_seconds: z
    .number()
    .int()
    .min(1)
    .default(300)
    .describe("Open a health alert when TronScan throttled us longer than this in the last hour"),
});

/** The analyst's desk: how a suppression made when closing an alert or finding behaves unless told otherwise. */
export const triageSchema = z.strictObject({
  reopen_factor: z
    .string()
    .regex(/^\d+(\.\d+)?$/, "must be a decimal such as 2 or 1.5")
    .refine((v) => Number(v) > 0, "must be more than 0")
    .default("2")
    .describe("A suppressed condition reopens once its value reaches this many times the value it was suppressed at"),
});

export { SEVERITIES } from "../model/severity.ts";
import { SEVERITIES } from "../model/severity.ts";
const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name such as TRONMON_WEBHOOK_URL");

export const sinkSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, "must be lowercase letters, digits, - or _")
      .describe("Unique sink name (delivery is tracked per sink)"),
    kind: z
      .enum(["webhook", "slack", "telegram", "file"])
      .describe(
        "webhook: JSON POST with an HMAC signature; slack: incoming webhook; telegram: bot sendMessage; file: NDJSON lines",
      ),
    url_env: envName
      .nullable()
      .default(null)
      .describe("webhook, slack: environment variable holding the URL (a secret)"),
    secret_env: envName
      .nullable()
      .default(null)
      .describe("webhook: environment variable holding the HMAC-SHA256 signing secret"),
    token_env: envName.nullable().default(null).describe("telegram: environment variable holding the bot token"),
    chat_id: z.string().nullable().default(null).describe("telegram: chat to post to"),
    api_base: z.url().default("https://api.telegram.org").describe("telegram: Bot API base URL"),
    path: z.string().nullable().default(null).describe("file: file to append NDJSON lines to, or - for stdout"),
    events: z
      .array(z.enum(["alert", "anomaly", "health"]))
      .default(["alert", "anomaly", "health"])
      .describe("What this sink receives"),
    rules: z.array(z.string()).nullable().default(null).describe("Only alerts of these rules (null: all)"),
    anomaly_types: z.array(z.string()).nullable().default(null).describe("Only anomalies of these types (null: all)"),
    min_severity: z.enum(SEVERITIES).default("info").describe("info | warning | critical"),
    digest: duration
      .refine((v) => durationMs(v) >= 60_000 && durationMs(v) <= 86_400_000, "must be from 1m to 24h")
      .nullable()
      .default(null)
      .describe("Info-level anomalies batched into one message per this period (e.g. 1h) instead of one each"),
    enabled: z.boolean().default(true),
  })
  .superRefine((s, ctx) => {
    const need = (key: "url_env" | "token_env" | "chat_id" | "path") => {
      if (!s[key]) ctx.addIssue({ code: "custom", path: [key], message: `is required for a ${s.kind} sink` });
    };
    if (s.kind === "webhook" || s.kind === "slack") need("url_env");
    if (s.kind === "telegram") {
      need("token_env");
      need("chat_id");
    }
    if (s.kind === "file") need("path");
  });

export const notifySchema = z.strictObject({
  max_attempts: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(10)
    .describe("Delivery attempts per notification and sink before it is given up (and shown in status)"),
  retry_base_delay_ms: z
    .number()
    .int()
    .min(1)
    .default(30000)
    .describe("First retry delay; doubles per attempt, capped at 1 h"),
  timeout_ms: z.number().int().min(100).default(10000).describe("Per-request timeout of a sink"),
  max_age_hours: z
    .number()
    .min(0)
    .default(24)
    .describe(
      "Anomalies about transfers older than this are not sent (a backfill's findings stay in exports and the dashboard)",
    ),
  sinks: z.array(sinkSchema).default([]).describe("Where alerts, anomalies and health alerts are sent"),
});

const decimalString = z
  .union([z.number().nonnegative(), z.string()])
  .transform((v) => String(v))
  .refine((v) => /^\d+(\.\d+)?$/.test(v), {
    message: "must be a non-negative decimal number such as 500000 or 0.5",
  });

export const ruleSchema = z.strictObject({
  name: z.string().min(1).describe("Unique rule name, shown in alerts"),
  kind: z
    .enum(["count", "volume", "exposure"])
    .describe(
      "count: successful transactions; volume: exact sum of one token's successful transfers; exposure: inbound value of one token from listed addresses (risk.lists)",
    ),
  measure: z
    .enum(["share", "amount"])
    .default("share")
    .describe("Exposure rules: share (percent of the inbound value) or amount (token units); other kinds ignore it"),
  period_days: z.number().int().min(1).max(3650).describe("Window ending at evaluation time"),
  threshold: decimalString.describe("Fires when the value is above (not equal to) this; volume in token units"),
  token: address
    .or(z.string().regex(/^(_|\d+)$/))
    .default(USDT_CONTRACT)
    .describe("Token a volume rule sums: TRC20 contract, TRC10 id or _ for TRX (default USDT)"),
  direction: z.enum(["in", "out", "any"]).default("any").describe("Which side of the wallet's activity counts"),
  wallets: z.array(address).nullable().default(null).describe("Only these wallets (null: every watched wallet)"),
  enabled: z.boolean().default(true),
});

/** The original project's four rules. */
export const DEFAULT_RULES = [
  { name: "Transaction Count Rule - 7d", kind: "count", period_days: 7, threshold: "100" },
  { name: "Transaction Count Rule - 30d", kind: "count", period_days: 30, threshold: "300" },
  { name: "Transaction Volume Rule - 7d", kind: "volume", period_days: 7, threshold: "500000" },
  { name: "Transaction Volume Rule - 30d", kind: "volume", period_days: 30, threshold: "2000000" },
] as const;

/** Per token id, an exact amount in token units. */
const minAmounts = z.record(z.string().min(1), decimalString).default({});

export const anomaliesSchema = z.strictObject({
  enabled: z
    .array(z.enum(ANOMALY_TYPES))
    .default([...ANOMALY_TYPES])
    .describe("Detectors that run"),
  large_transaction: z
    .strictObject({
      sigmas: z.number().positive().default(3).describe("Fires above median + sigmas x standard deviation"),
      min_sample: z
        .number()
        .int()
        .min(2)
        .default(10)
        .describe("Transfers of the same wallet, token and direction needed in the lookback"),
      lookback_days: z.number().int().min(1).default(30),
      min_amount: minAmounts.describe(
        "Per token (contract, TRC10 id or _ for TRX), the amount in token units a transfer must exceed to be scored",
      ),
    })
    .prefault({}),
  new_counterparty: z
    .strictObject({
      direction: z
        .enum(["out", "in", "any"])
        .default("out")
        .describe("Which first transfers count: sent to a new address (out), received from one (in), or both"),
      min_amount: minAmounts.describe(
        "Per token, the amount in token units a first transfer must exceed to be a finding (absent token: any amount)",
      ),
      routine_rate: z
        .number()
        .min(0)
        .max(1)
        .default(0.3)
        .describe(
          "New addresses are routine for a wallet when new counterparties exceed this share of its transactions over window_days (1: never)",
        ),
      routine_factor: z
        .number()
        .positive()
        .default(10)
        .describe(
          "For such a wallet, only a first transfer above this many times its average transfer of the token is a finding",
        ),
      min_history: z
        .number()
        .int()
        .min(0)
        .default(50)
        .describe("Transactions over window_days a wallet needs before new addresses can be routine for it"),
      window_days: z.number().int().min(1).max(365).default(30).describe("The trailing window of those rates"),
    })
    .prefault({}),
  burst_activity: z
    .strictObject({
      factor: z
        .number()
        .positive()
        .default(2)
        .describe("Fires when the last 24 h count is above factor x the daily average of the 7 days before"),
      min_count: z.number().int().min(1).default(5).describe("Ignore bursts smaller than this many transactions"),
    })
    .prefault({}),
  address_poisoning: z
    .strictObject({
      prefix: z
        .number()
        .int()
        .min(1)
        .max(33)
        .default(4)
        .describe("Leading characters a lookalike shares with the real counterparty"),
      suffix: z
        .number()
        .int()
        .min(1)
        .max(33)
        .default(4)
        .describe("Trailing characters a lookalike shares with the real counterparty"),
      dust: z
        .array(z.strictObject({ token: z.string(), max: decimalString }))
        .default([
          { token: USDT_CONTRACT, max: "1" },
          { token: "_", max: "1" },
        ])
        .describe("Per token, the largest amount (token units) still counted as dust; zero-value transfers always are"),
    })
    .prefault({}),
  fake_token: z
    .strictObject({
      extra: z
        .array(z.strictObject({ token: z.string(), symbol: z.string(), name: z.string() }))
        .default([])
        .describe("Well-known tokens to protect besides the built-in list (keyed by contract)"),
      direction: z
        .enum(["in", "out", "any"])
        .default("any")
        .describe("Fakes received (airdrops, info), sent (critical: someone paid with a fake) or both"),
    })
    .prefault({}),
});

export type AnomalySettings = z.infer<typeof anomaliesSchema>;

/** The same settings, each optional and without its default: an override names only what it changes. */
function withoutDefaults<S extends z.ZodRawShape>(o: z.ZodObject<S>) {
  const shape = Object.fromEntries(
    Object.entries(o.shape).map(([k, v]) => [
      k,
      ((v instanceof z.ZodDefault ? v.unwrap() : v) as z.ZodType).optional(),
    ]),
  ) as unknown as { [K in keyof S]: z.ZodOptional<S[K] extends z.ZodDefault<infer I> ? I : S[K]> };
  return z.strictObject(shape);
}

/**
 * A profile (or a wallet's own overrides): any detector setting, replacing the global one. Lists (enabled, dust)
 * replace the global list; min_amount maps add to and override the global map token by token.
 */
const overridesSchema = z.strictObject({
  enabled: z.array(z.enum(ANOMALY_TYPES)).optional(),
  large_transaction: withoutDefaults(anomaliesSchema.shape.large_transaction.unwrap()).optional(),
  new_counterparty: withoutDefaults(anomaliesSchema.shape.new_counterparty.unwrap()).optional(),
  burst_activity: withoutDefaults(anomaliesSchema.shape.burst_activity.unwrap()).optional(),
  address_poisoning: withoutDefaults(anomaliesSchema.shape.address_poisoning.unwrap()).optional(),
  fake_token: withoutDefaults(anomaliesSchema.shape.fake_token.unwrap()).optional(),
});
export type AnomalyOverrides = z.infer<typeof overridesSchema>;

/** The shipped profiles (a config's own `profiles` replace or add to these by name). */
export const DEFAULT_PROFILES: Record<string, AnomalyOverrides> = {
  // a hot wallet pays a new address with almost every withdrawal: only large first deposits are news
  exchange: {
    // airdrops to an exchange's wallets are daily spam, not news; a fake token it *sends* is
    enabled: ["large_transaction", "burst_activity", "new_counterparty", "address_poisoning", "fake_token"],
    fake_token: { direction: "out" },
    large_transaction: { sigmas: 6, min_amount: { [USDT_CONTRACT]: "100000", _: "1000000" } },
    // only large first payments: withdrawals to new addresses are the business
    new_counterparty: { direction: "out", min_amount: { [USDT_CONTRACT]: "1000", _: "10000" } },
    burst_activity: { factor: 3, min_count: 50 },
  },
  // few, deliberate payments: every new payee matters, small ones too
  treasury: { large_transaction: { sigmas: 2 }, new_counterparty: { direction: "any" } },
  // a person's wallet: defaults, but dust-sized first payments are not news
  personal: { new_counterparty: { min_amount: { [USDT_CONTRACT]: "10", _: "50" } } },
};

export const walletSchema = z.strictObject({
  address: address.describe("TRON base58check address (T..., 34 characters)"),
  label: z.string().min(1).nullable().default(null).describe("Name shown in reports"),
  profile: z
    .string()
    .min(1)
    .nullable()
    .default(null)
    .describe("Detector settings profile (anomalies.profiles: exchange, treasury, personal or your own)"),
  anomalies: overridesSchema
    .nullable()
    .default(null)
    .describe("This wallet's own detector settings (beat the profile)"),
});

export const configSchema = z.strictObject({
  wallets: z.array(walletSchema).min(1).describe("Watched wallets"),
  source: sourceSchema.prefault({}),
  node: nodeSchema.prefault({}),
  warehouse: warehouseSchema.default({ kind: "duckdb", path: "data/tronmon.duckdb", memory_limit: "1GB" }),
  output: outputSchema.prefault({}),
  logging: loggingSchema.prefault({}),
  rules: z
    .array(ruleSchema)
    .default(() => DEFAULT_RULES.map((r) => ruleSchema.parse(r)))
    .describe("Threshold rules, synced to the alert_thresholds table"),
  anomalies: anomaliesSchema
    .extend({
      profiles: z
        .record(z.string().min(1), overridesSchema)
        .default(DEFAULT_PROFILES)
        .describe("Named detector settings wallets may use (the shipped exchange, treasury and personal stay defined)"),
    })
    .prefault({}),
  schedule: scheduleSchema.prefault({}),
  health: healthSchema.prefault({}),
  triage: triageSchema.prefault({}),
  verify: verifySchema.prefault({}),
  notify: notifySchema.prefault({}),
  risk: riskSchema.prefault({}),
});

export type Config = z.infer<typeof configSchema>;

export type DuckDbSettings = z.infer<typeof duckdbWarehouseSchema>;

/** The DuckDB settings, for what only DuckDB does (the embedded file, the demo, benchmarks). */
export function duckdbSettings(config: Config): DuckDbSettings {
  if (config.warehouse.kind === "duckdb") return config.warehouse;
  throw new UsageError("this needs warehouse.kind: duckdb (it works on the embedded database file)");
}
