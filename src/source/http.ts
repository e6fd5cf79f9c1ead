// What both source clients (TronScan, a node) share: their options, the class of failures worth another attempt,
// and the retry loop that turns the last of them into the error a caller handles.
import { RateLimitError, RetryableError, SourceHttpError, SourceUnavailableError } from "../internal/errors.ts";
import { scrubUrls } from "../internal/scrub.ts";
import { retrying } from "../internal/retry.ts";
import { type Clock, systemClock, TokenBucket } from "./tronscan/rate-limit.ts";
import type { Logger } from "pino";

export type HttpSourceOptions = {
  baseUrl: string;
  apiKey?: string | null;
  requestsPerSecond: number;
  burst?: number;
  timeoutMs?: number;
  /** The largest answer read (default 64 MiB): a larger body is cut off and counts as a failed attempt. */
  maxResponseBytes?: number;
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
  /** Told of every answer (HTTP status, or "error" for timeouts and network failures): feeds the metrics. */
  onResponse?: (path: string, status: number | "error") => void;
};

/**
 * What every client derives from its options: clock, shared rate limit, retry count, backoff, base URL, and `retry`:
 * one request's attempts under the retry loop, counted in `stats.retries`, logged and named after `source`
 * ("TronScan", "the node").
 */
export function httpSetup(opts: HttpSourceOptions, source: string, stats: { retries: number }) {
  const clock = opts.clock ?? systemClock;
  const bucket = new TokenBucket(
    opts.requestsPerSecond,
    opts.burst ?? Math.max(1, Math.ceil(opts.requestsPerSecond)),
    clock,
  );
  const baseDelay = opts.baseDelayMs ?? 500;
  const maxDelay = opts.maxDelayMs ?? 30_000;
  const random = opts.random ?? Math.random;
  const maxRetries = opts.maxRetries ?? 6;
  const base = opts.baseUrl.replace(/\/+$/, "");
  /** The base URL as messages show it: scheme and host only (a key or credentials in it never reach a log). */
  const shown = scrubUrls(base).replace(/\/…$/, "");
  warnPlainKey(opts, base, source);
  /** Exponential backoff with full jitter. */
  const backoff = (n: number) => Math.min(maxDelay, baseDelay * 2 ** n) * (0.5 + random() / 2);
  const Source = source[0].toUpperCase() + source.slice(1);
  const reach = reachability(opts, Source, shown, clock, maxRetries);
  const retry = <T>(path: string, attempt: (n: number) => Promise<T>, signal?: AbortSignal): Promise<T> =>
    withRetries(reach.guard(attempt), {
      retries: maxRetries,
      backoff,
      clock,
      signal,
      onRetry: (e, n) => {
        stats.retries++;
        if (!(e instanceof Transient && e.unreachable))
          opts.logger?.warn({ msg: `Retrying a request to ${source}`, path, attempt: n + 1, problem: e.message });
      },
      say: {
        throttled: (attempts, problem) => `${Source} kept throttling ${path} after ${attempts} attempts: ${problem}`,
        failed: (attempts, problem) => `${Source} ${path} failed after ${attempts} attempts: ${problem} (${shown})`,
      },
    });
  const fetchOnce = (url: string, init: RequestInit, signal?: AbortSignal) =>
    boundedFetch(url, init, {
      timeoutMs: opts.timeoutMs ?? 20_000,
      maxBytes: opts.maxResponseBytes ?? 64 * 1024 * 1024,
      signal,
      source: Source,
    });
  return { clock, bucket, maxRetries, base, shown, backoff, retry, fetchOnce };
}

const LOOPBACK = /^(localhost|127(\.\d+){3}|\[::1\])$/i;

/** A key sent over plain HTTP to another machine can be read on the way: said once, as a warning. */
function warnPlainKey(opts: HttpSourceOptions, base: string, source: string) {
  if (!opts.apiKey) return;
  try {
    const u = new URL(base);
    if (u.protocol === "http:" && !LOOPBACK.test(u.hostname))
      opts.logger?.warn({
        msg: `The API key for ${source} is sent over plain HTTP to ${u.hostname}: anyone on the way can read it; use https`,
      });
  } catch {
    /* not a URL: the request fails on its own */
  }
}

/** An answer as read: status, headers and the body's text, at most `maxBytes` of it. */
export type Answer = { status: number; headers: Headers; text: string };

/**
 * One request: redirects are never followed (the key would go to another host: an error naming where it pointed),
 * the body is read up to `maxBytes` (past that, or a Content-Length past it, a Transient failure: nothing larger is
 * ever held), and the timeout (capped at 10 minutes: a longer timer fires at once) covers headers and body.
 */
export async function boundedFetch(
  url: string,
  init: RequestInit,
  o: { timeoutMs: number; maxBytes: number; signal?: AbortSignal; source: string },
): Promise<Answer> {
  const timeout = AbortSignal.timeout(Math.min(Math.max(1, o.timeoutMs), 600_000));
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  const res = await fetch(url, { ...init, redirect: "manual", signal });
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => undefined);
    const to = res.headers.get("location");
    throw new SourceHttpError(
      `${o.source} answered HTTP ${res.status}, a redirect${to ? ` to ${scrubUrls(to)}` : ""}: not followed ` +
        "(the API key is never sent to another address); point the base URL at the final address",
      res.status,
      scrubUrls(url),
    );
  }
  const declared = Number(res.headers.get("content-length") ?? NaN);
  const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;
  if (Number.isFinite(declared) && declared > o.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new Transient(`an answer of ${mib(declared)}, more than the ${mib(o.maxBytes)} read (max_response_mb)`);
  }
  const text = await readCapped(res, o.maxBytes);
  if (text === null) throw new Transient(`an answer larger than the ${mib(o.maxBytes)} read (max_response_mb)`);
  return { status: res.status, headers: res.headers, text };
}

/** The body as UTF-8 text, or null as soon as it passes `maxBytes` (the rest is not read). */
async function readCapped(res: globalThis.Response, maxBytes: number): Promise<string | null> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    parts.push(value);
  }
  return Buffer.concat(parts, size).toString("utf8");
}

/** A failure worth another attempt: a network error, a timeout, a 5xx, throttling, an error inside a 200. */
export class Transient extends RetryableError {
  override name = "Transient";
  constructor(
    message: string,
    readonly waitMs: number | null = null,
    readonly throttled = false,
    /** The host could not be reached at all (DNS, refused, no route): see `reachability`. */
    readonly unreachable: "quick" | "retry" | false = false,
  ) {
    super(message);
  }
}

/**
 * Connection-level failures: nothing was asked, nothing answered — the host is not reachable from here. `quick`:
 * a name that does not resolve, or a connection that never opens (each attempt can take a resolver's or the connect
 * timeout), is tried UNREACHABLE_ATTEMPTS times; a refused or unroutable one, failing at once, gets every retry
 * (a server restarting is ridden out).
 */
const UNREACHABLE: Record<string, "quick" | "retry"> = {
  ENOTFOUND: "quick",
  EAI_AGAIN: "quick",
  UND_ERR_CONNECT_TIMEOUT: "quick",
  ECONNREFUSED: "retry",
  EHOSTUNREACH: "retry",
  ENETUNREACH: "retry",
  ENETDOWN: "retry",
};

/** What fetch threw (not an answer) as a Transient, marked `unreachable` when no connection was made. */
export function networkFailure(e: unknown, timeoutMs: number): Transient {
  const err = e as Error & { cause?: Error & { code?: string } };
  if (err.name === "TimeoutError") return new Transient(`timed out after ${timeoutMs} ms`);
  const code = err.cause?.code ?? "";
  return new Transient(`network error: ${err.cause?.message ?? err.message}`, null, false, UNREACHABLE[code] ?? false);
}

/** Attempts at a host whose name does not resolve or whose connection never opens (the first, and two more). */
const UNREACHABLE_ATTEMPTS = 3;
/** After a request gave up on an unreachable host, others fail at once for this long (then it is tried again). */
const DOWN_FOR_MS = 30_000;

/**
 * A host that cannot be reached at all (no network, a DNS failure, refused) is said once, up front, as an error;
 * when a request has given up on it (3 attempts for a DNS failure or a connect timeout, every retry for a refusal),
 * every other request fails at once with the same reason for DOWN_FOR_MS: an offline run ends in seconds with one
 * clear line instead of a retry storm per stream.
 */
function reachability(opts: HttpSourceOptions, Source: string, shown: string, clock: Clock, maxRetries: number) {
  let down: { untilMs: number; reason: string } | null = null;
  let said = false;
  const cannot = (reason: string) => `cannot reach ${Source} at ${shown}: ${reason}`;
  return {
    guard:
      <T>(attempt: (n: number) => Promise<T>) =>
      async (n: number): Promise<T> => {
        if (down && clock.now() < down.untilMs) throw new SourceUnavailableError(cannot(down.reason));
        try {
          const r = await attempt(n);
          down = null;
          said = false;
          return r;
        } catch (e) {
          if (!(e instanceof Transient && e.unreachable)) throw e;
          const last = e.unreachable === "quick" ? UNREACHABLE_ATTEMPTS - 1 : maxRetries;
          if (!said) {
            said = true;
            opts.logger?.error({
              msg: `${cannot(e.message)} — no network, or DNS or a firewall blocks it (base_url); ${last} more attempts, then every request of this cycle stops`,
            });
          }
          if (n < last) throw e;
          down = { untilMs: clock.now() + DOWN_FOR_MS, reason: e.message };
          throw new SourceUnavailableError(cannot(e.message));
        }
      },
  };
}

/**
 * Runs `attempt` until it answers, retrying Transient failures (waiting what they demand, else the backoff);
 * the last one becomes a RateLimitError (throttled) or a SourceUnavailableError, worded by `say`.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  o: {
    say: {
      throttled: (attempts: number, problem: string) => string;
      failed: (attempts: number, problem: string) => string;
    };
    retries: number;
    backoff: (n: number) => number;
    clock: Clock;
    signal?: AbortSignal;
    onRetry: (e: Error, n: number) => void;
  },
): Promise<T> {
  try {
    return await retrying(attempt, {
      retries: o.retries,
      retryable: (e) => e instanceof Transient,
      delayMs: (n, e) => (e as Transient).waitMs ?? o.backoff(n),
      sleep: (ms, s) => o.clock.sleep(ms, s),
      signal: o.signal,
      onRetry: (e, n) => o.onRetry(e as Error, n),
    });
  } catch (e) {
    if (!(e instanceof Transient)) throw e;
    const attempts = o.retries + 1;
    if (e.throttled) throw new RateLimitError(o.say.throttled(attempts, e.message), null);
    throw new SourceUnavailableError(o.say.failed(attempts, e.message));
  }
}

/** The longest wait a Retry-After may impose; a longer demand fails the stream for this cycle. */
export const MAX_RETRY_AFTER_MS = 120_000;

/** A Retry-After header (seconds, or an HTTP date) as milliseconds from now, or null. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : null;
}
