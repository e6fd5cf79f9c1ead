// The one place that knows snowflake-sdk: connecting (key pair, password or programmatic access token),
// running a statement as a promise, QUERY_TAG, and which errors are worth a retry.
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { doubling, retrying } from "../../internal/retry.ts";

/** The part of snowflake-sdk's Connection the adapter uses (a test stand-in implements the same). */
export type SfConnection = {
  execute(opts: {
    sqlText: string;
    binds?: unknown[] | unknown[][];
    complete: (err: SfError | undefined, stmt: unknown, rows?: Record<string, unknown>[]) => void;
  }): unknown;
  destroy?(cb: (err?: unknown) => void): void;
};
export type SfError = Error & {
  code?: string | number;
  sqlState?: string;
  isFatal?: boolean;
  response?: { statusCode?: number };
};

/**
 * Transient: the network, Snowflake being busy or restarting, an expired session token the driver renews.
 * Everything else (SQL errors, privileges, a missing object) fails at once: a retry cannot fix it.
 */
export function isTransient(e: SfError): boolean {
  const code = String(e.code ?? "");
  const status = e.response?.statusCode ?? 0;
  if (["ECONNRESET", "ETIMEDOUT", "ECONNREFUSED", "EAI_AGAIN", "EPIPE", "ENOTFOUND"].includes(code)) return true;
  if (status === 429 || status >= 500) return true;
  // 390114: authentication token expired; 000625: statement aborted, retry; 000630: statement reached its
  // timeout while queued; 401001/401002: network errors inside the driver; 002003 is "object does not exist" (not
  // transient)
  if (["390114", "000625", "000630", "401001", "401002", "407002"].includes(code)) return true;
  return (
    /(network|socket hang up|timed? ?out|temporarily unavailable|try again)/i.test(e.message) &&
    !/SQL compilation error/i.test(e.message)
  );
}

export type Exec = (sql: string, binds?: unknown[] | unknown[][]) => Promise<Record<string, unknown>[]>;

export function executor(
  conn: SfConnection,
  opts: { retries?: number; baseDelayMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Exec {
  const retries = opts.retries ?? 4;
  const base = opts.baseDelayMs ?? 500;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const once = (sqlText: string, binds?: unknown[] | unknown[][]) =>
    new Promise<Record<string, unknown>[]>((resolve, reject) => {
      conn.execute({
        sqlText,
        binds: binds as never,
        complete: (err, _stmt, rows) => (err ? reject(err) : resolve(rows ?? [])),
      });
    });
  return (sql, binds) =>
    retrying(() => once(sql, binds), {
      retries,
      retryable: (e) => isTransient(e as SfError),
      delayMs: doubling(base),
      sleep,
    });
}

export type SfSettings = {
  account: string;
  user: string;
  role: string;
  warehouse: string;
  database: string;
  schema: string;
  authenticator: "key_pair" | "password" | "token";
  queryTag: string;
};

/** Connects with the official driver (imported only here, only when Snowflake is configured). */
export async function connect(s: SfSettings, env = process.env): Promise<SfConnection> {
  const sdk = (await import("snowflake-sdk")).default;
  sdk.configure({ logLevel: "OFF" }); // its errors reach us and are reported once, with context
  const auth: Record<string, unknown> = {};
  if (s.authenticator === "key_pair") {
    const pem = readFileSync(env.SNOWFLAKE_PRIVATE_KEY_PATH!, "utf8");
    const key = createPrivateKey({
      key: pem,
      format: "pem",
      passphrase: env.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE || undefined,
    });
    Object.assign(auth, {
      authenticator: "SNOWFLAKE_JWT",
      privateKey: key.export({ format: "pem", type: "pkcs8" }).toString(),
    });
  } else if (s.authenticator === "password") Object.assign(auth, { password: env.SNOWFLAKE_PASSWORD });
  else Object.assign(auth, { authenticator: "PROGRAMMATIC_ACCESS_TOKEN", token: env.SNOWFLAKE_TOKEN });
  const conn = sdk.createConnection({
    account: s.account,
    username: s.user,
    role: s.role,
    warehouse: s.warehouse,
    database: s.database,
    schema: s.schema,
    application: "tronmon",
    ...auth,
    // integers come back as BigInt (raw amounts are NUMBER(38,0): a JS number would round them); the adapter hands
    // them on as strings
    jsTreatIntegerAsBigInt: true,
    sfRetryMaxLoginRetries: 2, // an unreachable account fails in seconds, not minutes
  } as never);
  await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  return conn as unknown as SfConnection;
}
