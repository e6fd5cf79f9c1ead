// What both source clients (TronScan, a node) share: their options, the class of failures worth another attempt,
// and the retry loop that turns the last of them into the error a caller handles.
import { RateLimitError, RetryableError, SourceUnavailableError } from "../internal/errors.ts";
import { retrying } from "../internal/retry.ts";
import { type Clock, systemClock, TokenBucket } from "./tronscan/rate-limit.ts";
import type { Logger } from "pino";

export type HttpSourceOptions = {
  baseUrl: string;
  apiKey?: string | null;
  requestsPerSecond: number;
  burst?: number;
  timeoutMs?: number;
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
  /** Exponential backoff with full jitter. */
  const backoff = (n: number) => Math.min(maxDelay, baseDelay * 2 ** n) * (0.5 + random() / 2);
  const Source = source[0].toUpperCase() + source.slice(1);
  const retry = <T>(path: string, attempt: (n: number) => Promise<T>, signal?: AbortSignal): Promise<T> =>
    withRetries(attempt, {
      retries: maxRetries,
      backoff,
      clock,
      signal,
      onRetry: (e, n) => {
        stats.retries++;
        opts.logger?.warn({ msg: `Retrying a request to ${source}`, path, attempt: n + 1, problem: e.message });
      },
      say: {
        throttled: (attempts, problem) => `${Source} kept throttling ${path} after ${attempts} attempts: ${problem}`,
        failed: (attempts, problem) => `${Source} ${path} failed after ${attempts} attempts: ${problem} (${base})`,
      },
    });
  return { clock, bucket, maxRetries, base, backoff, retry };
}

/** A failure worth another attempt: a network error, a timeout, a 5xx, throttling, an error inside a 200. */
export class Transient extends RetryableError {
  override name = "Transient";
  constructor(
    message: string,
    readonly waitMs: number | null = null,
    readonly throttled = false,
  ) {
    super(message);
  }
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
