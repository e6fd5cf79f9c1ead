// The one retry loop: run, and on a failure the caller calls retryable, wait and run again, at most
// `retries` more times. What is retryable is decided by class (RetryableError) unless the caller says
// otherwise (a driver's own error codes); the last failure is thrown as it is.
import { RetryableError } from "./errors.ts";

export type RetryOptions = {
  retries: number;
  /** Milliseconds to wait before the attempt after `attempt` (0-based) failed with `error`. */
  delayMs: (attempt: number, error: unknown) => number;
  retryable?: (error: unknown) => boolean;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  onRetry?: (error: unknown, attempt: number) => void;
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function retrying<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const retryable = o.retryable ?? ((e: unknown) => e instanceof RetryableError);
  for (let attempt = 0; ; attempt++) {
    o.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= o.retries || !retryable(e) || o.signal?.aborted) throw e;
      o.onRetry?.(e, attempt);
      await (o.sleep ?? defaultSleep)(o.delayMs(attempt, e), o.signal);
    }
  }
}

/** Doubling delays from `baseMs`, at most `maxMs`. */
export const doubling =
  (baseMs: number, maxMs = 30_000) =>
  (attempt: number): number =>
    Math.min(maxMs, baseMs * 2 ** attempt);
