// HTTP client for the TronScan API: rate limit, API key header, classification of answers, retries.
import { parseJsonLossless } from "../../internal/json.ts";
import { RateLimitError, SourceHttpError } from "../../internal/errors.ts";
import { scrubUrls } from "../../internal/scrub.ts";
import {
  type Answer,
  type HttpSourceOptions,
  httpSetup,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  networkFailure,
  Transient,
} from "../http.ts";

export type ClientOptions = HttpSourceOptions;

/** `text`: the body exactly as received (kept in the raw archive without re-serialising it). */
export type Response = {
  url: string;
  params: Record<string, string>;
  status: number;
  body: unknown;
  text?: string;
  fetchedAtMs: number;
  attempts: number;
};

export type ClientStats = {
  requests: number;
  retries: number;
  throttled: number;
  throttledMs: number;
  byStatus: Record<string, number>;
};

export type TronscanClient = {
  get(path: string, params: Record<string, string | number>, signal?: AbortSignal): Promise<Response>;
  readonly stats: ClientStats;
};

const NEVER_RETRY = new Set([400, 401, 404, 405, 410, 422]);

/**
 * An error inside an HTTP 200 (TRONSCAN-API.md pitfall 1b): `{"code":403,"status":"0","message":"invalid API key",
 * "total":0,"data":[]}`, `{"message":"..."}` alone, TronGrid's `{"Success":false,"Error":"..."}`. Its message, or null.
 */
export function businessError(body: unknown): string | null {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  const message = [b.message, b.Error, b.error, b.msg].find((m) => typeof m === "string" && m) as string | undefined;
  const code = b.code ?? b.StatusCode;
  const badCode = code !== undefined && code !== null && code !== "" && Number(code) !== 200 && Number(code) !== 0;
  const failed = b.status === "0" || b.status === 0 || b.success === false || b.Success === false;
  const hasList = ["data", "Data", "token_transfers", "trc20_tokens"].some((k) => Array.isArray(b[k]));
  if (badCode || failed) return `${message ?? "error"}${badCode ? ` (code ${String(code)})` : ""}`;
  if (message && !hasList && Object.keys(b).length <= 3) return message;
  return null;
}

export function createTronscanClient(opts: ClientOptions): TronscanClient {
  const stats: ClientStats = { requests: 0, retries: 0, throttled: 0, throttledMs: 0, byStatus: {} };
  const { clock, bucket, base, backoff, retry, fetchOnce } = httpSetup(opts, "TronScan", stats);

  async function once(url: string, signal?: AbortSignal): Promise<Answer> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (opts.apiKey) headers["TRON-PRO-API-KEY"] = opts.apiKey;
    return fetchOnce(url, { headers }, signal);
  }

  /** One attempt: the response, a Transient failure (worth another attempt) or a final error. */
  async function attempt(url: string, path: string, n: number, signal?: AbortSignal) {
    await bucket.take(signal);
    stats.requests++;
    let answer: Awaited<ReturnType<typeof once>>;
    try {
      answer = await once(url, signal);
    } catch (e) {
      if (signal?.aborted) throw e;
      opts.onResponse?.(path, "error");
      if (e instanceof Transient || e instanceof SourceHttpError) throw e; // too large, or a redirect
      throw networkFailure(e, opts.timeoutMs ?? 20_000);
    }
    const { status, text, headers } = answer;
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    opts.onResponse?.(path, status);
    if (status === 200) {
      let body: unknown;
      try {
        body = parseJsonLossless(text);
      } catch {
        throw new Transient(`truncated or invalid JSON (${text.length} bytes)`);
      }
      const error = businessError(body);
      if (error !== null) throw new Transient(`an error inside HTTP 200: ${error.slice(0, 200)}`);
      return { status, body, text, fetchedAtMs: clock.now(), attempts: n + 1 };
    }
    if (status === 429 || status === 403) {
      stats.throttled++;
      const retryAfter = parseRetryAfter(headers.get("retry-after"), clock.now());
      if (retryAfter !== null && retryAfter > MAX_RETRY_AFTER_MS)
        throw new RateLimitError(
          `TronScan ${path} asked us to wait ${Math.round(retryAfter / 1000)} s (Retry-After), more than the ` +
            `${MAX_RETRY_AFTER_MS / 1000} s we wait within a cycle: this stream stops here and resumes next cycle`,
          retryAfter,
        );
      const wait = retryAfter ?? backoff(n);
      stats.throttledMs += wait;
      bucket.pause(clock.now() + wait);
      const after = retryAfter !== null ? ` (Retry-After ${Math.round(retryAfter / 1000)} s)` : "";
      throw new Transient(`HTTP ${status} throttled${after}: ${bodyMessage(text)}`, wait, true);
    }
    if (NEVER_RETRY.has(status))
      throw new SourceHttpError(
        `TronScan refused ${path} with HTTP ${status}: ${bodyMessage(text)}` +
          `${status === 401 ? " (an API key is required: set TRONSCAN_API_KEY)" : ""}`,
        status,
        scrubUrls(url),
      );
    throw new Transient(`HTTP ${status}: ${bodyMessage(text)}`);
  }

  async function get(path: string, params: Record<string, string | number>, signal?: AbortSignal): Promise<Response> {
    const strParams = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
    const url = `${base}${path}?${new URLSearchParams(strParams)}`;
    const res = await retry(path, (n) => attempt(url, path, n, signal), signal);
    return { url, params: strParams, ...res };
  }

  return { get, stats };
}

function bodyMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { message?: unknown; Error?: unknown };
    if (typeof j.message === "string") return j.message;
    if (typeof j.Error === "string") return j.Error;
  } catch {
    /* not JSON (e.g. an nginx page) */
  }
  const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
  return title ?? (text.slice(0, 120) || "(empty body)");
}
