// Who may reach the dashboard and the metrics server: loopback needs nothing; any other address needs tokens.
import { createHash } from "node:crypto";
import { UsageError } from "../internal/errors.ts";

/** `TRONMON_DASHBOARD_TOKENS="alice:secret1,bob:secret2"` (or `TRONMON_DASHBOARD_TOKEN=secret`, named "token"). */
export function tokensFromEnv(env = process.env): { name: string; digest: Buffer }[] {
  const list = env.TRONMON_DASHBOARD_TOKENS
    ? env.TRONMON_DASHBOARD_TOKENS.split(",")
    : env.TRONMON_DASHBOARD_TOKEN
      ? [`token:${env.TRONMON_DASHBOARD_TOKEN}`]
      : [];
  return list
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      const i = x.indexOf(":");
      const [name, secret] = i > 0 ? [x.slice(0, i), x.slice(i + 1)] : ["token", x];
      if (secret.length < 16)
        throw new UsageError(`dashboard: the access token of "${name}" is shorter than 16 characters`);
      return { name, digest: sha(secret) };
    });
}
export const sha = (s: string) => createHash("sha256").update(s).digest();
export const isLoopback = (host: string) => host === "127.0.0.1" || host === "::1" || host === "localhost";

/**
 * Off loopback the dashboard (and the metrics server) need at least one access token: refuses (UsageError, exit 2)
 * otherwise.
 */
export function assertAccess(host: string, tokens: unknown[], what = "dashboard"): void {
  if (!isLoopback(host) && !tokens.length)
    throw new UsageError(
      `${what}: refusing to listen on ${host} without an access token: set TRONMON_DASHBOARD_TOKENS="name:secret" (or bind to 127.0.0.1)`,
    );
}
