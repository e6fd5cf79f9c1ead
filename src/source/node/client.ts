// HTTP client for a TRON full node (java-tron's /wallet and /walletsolidity API, also served by TronGrid with the
// TRON-PRO-API-KEY header): the same rate limiting, retries and error classes as the TronScan client, with the
// node's own ways of failing (test/fixtures/trongrid/README.md): errors inside HTTP 200 as {"Error": ...}, its rate
// limiter's "lack of computing resources", TronGrid's "suspended for N s" on 403/429, a disabled API (404), a lite
// fullnode's bare-text refusal, a gateway refusing walletsolidity (405), Jetty's HTML for an unknown path.
import { RateLimitError, SourceHttpError } from "../../internal/errors.ts";
import { type Answer, type HttpSourceOptions, httpSetup, networkFailure, Transient } from "../http.ts";
import { parseJsonLossless } from "../../internal/json.ts";
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from "../http.ts";

export type NodeClientOptions = HttpSourceOptions;

export type NodeStats = { requests: number; retries: number; throttled: number; throttledMs: number };

/** The most blocks one getblockbylimitnext call serves (java-tron's BLOCK_LIMIT_NUM). */
export const MAX_BLOCKS_PER_CALL = 100;

/** TronGrid's "...the query server is suspended for 27 s" (or "30s"): the wait it demands, in ms. */
export function suspendedForMs(message: string): number | null {
  const m = /suspended for (\d+)\s*s/i.exec(message);
  return m ? Number(m[1]) * 1000 : null;
}

const errorOf = (body: unknown): string | null => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  const e = b.Error ?? b.error;
  return typeof e === "string" && e ? e : null;
};

export type NodeClient = {
  /** A POST to a node path with a JSON body: the parsed answer (errors inside 200s already raised). */
  post(path: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown>;
  /** A GET of TronGrid's /v1 API (path with its query): the parsed answer. */
  get(path: string, signal?: AbortSignal): Promise<unknown>;
  /** The solidified head block (`/walletsolidity/getnowblock`). */
  solidifiedHead(signal?: AbortSignal): Promise<unknown>;
  /** The newest block (`/wallet/getnowblock`), for the fast lane. */
  head(signal?: AbortSignal): Promise<unknown>;
  /** Blocks [from, toExclusive), at most MAX_BLOCKS_PER_CALL; none past the head. */
  blocks(from: number, toExclusive: number, signal?: AbortSignal): Promise<unknown[]>;
  /** A block's transaction infos (receipts, logs, internal transactions). */
  transactionInfos(num: number, signal?: AbortSignal): Promise<unknown[]>;
  readonly stats: NodeStats;
};

export function createNodeClient(opts: NodeClientOptions): NodeClient {
  const stats: NodeStats = { requests: 0, retries: 0, throttled: 0, throttledMs: 0 };
  const { clock, bucket, base, shown, backoff, retry, fetchOnce } = httpSetup(opts, "the node", stats);
  const refuse = (path: string, status: number, why: string) =>
    new SourceHttpError(`The node at ${shown} refused ${path} (HTTP ${status}): ${why}`, status, `${shown}${path}`);

  function throttled(path: string, status: number, message: string, headers: Headers, n: number): never {
    stats.throttled++;
    const demanded = suspendedForMs(message) ?? parseRetryAfter(headers.get("retry-after"), clock.now());
    if (demanded !== null && demanded > MAX_RETRY_AFTER_MS)
      throw new RateLimitError(
        `The node ${path} asked us to wait ${Math.round(demanded / 1000)} s: ${message}`,
        demanded,
      );
    const wait = demanded ?? backoff(n);
    stats.throttledMs += wait;
    bucket.pause(clock.now() + wait);
    throw new Transient(`HTTP ${status} throttled: ${message}`, wait, true);
  }

  /** One request: a POST with a JSON payload, or a GET (payload null) of TronGrid's /v1 API. */
  async function attempt(path: string, payload: string | null, n: number, signal?: AbortSignal): Promise<unknown> {
    await bucket.take(signal);
    stats.requests++;
    const headers: Record<string, string> = { accept: "application/json" };
    if (payload !== null) headers["content-type"] = "application/json";
    if (opts.apiKey) headers["TRON-PRO-API-KEY"] = opts.apiKey;
    const init = payload === null ? { method: "GET", headers } : { method: "POST", headers, body: payload };
    let res: Answer;
    try {
      res = await fetchOnce(`${base}${path}`, init, signal);
    } catch (e) {
      if (signal?.aborted) throw e;
      opts.onResponse?.(path, "error");
      if (e instanceof Transient || e instanceof SourceHttpError) throw e; // too large, or a redirect
      throw networkFailure(e, opts.timeoutMs ?? 20_000);
    }
    const text = res.text;
    opts.onResponse?.(path, res.status);
    let body: unknown;
    let json = true;
    try {
      body = parseJsonLossless(text);
    } catch {
      json = false;
    }
    const message = (json ? errorOf(body) : null) ?? (json ? null : text.trim().slice(0, 160));
    if (res.status === 429 || (res.status === 403 && /frequency|rate|limit|suspend/i.test(message ?? "")))
      throttled(path, res.status, message ?? "(no body)", res.headers, n);
    if (res.status === 404)
      throw refuse(path, 404, json ? `${message} (disabled on this node)` : "not a java-tron HTTP API path here");
    if ([400, 401, 403, 405, 413].includes(res.status)) throw refuse(path, res.status, message ?? "(no body)");
    if (res.status !== 200) throw new Transient(`HTTP ${res.status}: ${message ?? ""}`);
    if (!json) {
      if (/lite fullnode|API is closed/i.test(text))
        throw refuse(path, 200, `${message}: a lite fullnode serves no history; use a full node or TronGrid`);
      throw new Transient(`truncated or invalid JSON (${text.length} bytes)`);
    }
    const error = errorOf(body);
    if (error === null && payload === null && (body as { success?: unknown })?.success === false)
      throw new Transient(`TronGrid answered success: false`);
    if (error !== null) {
      // the node's own limiter, TronGrid's limiter inside a 200, or an exception: all worth another attempt
      if (/lack of computing resources|frequency limit/i.test(error)) throttled(path, 200, error, res.headers, n);
      if (/unavailable due to config/i.test(error)) throw refuse(path, 200, `${error} (disabled on this node)`);
      throw new Transient(`an error inside HTTP 200: ${error.slice(0, 200)}`);
    }
    return body;
  }

  async function post(path: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    const payload = JSON.stringify(body);
    return retry(path, (n) => attempt(path, payload, n, signal), signal);
  }

  const get = (path: string, signal?: AbortSignal) => retry(path, (n) => attempt(path, null, n, signal), signal);

  const list = (body: unknown, key: string): unknown[] => {
    if (Array.isArray(body)) return body;
    const v = typeof body === "object" && body !== null ? (body as Record<string, unknown>)[key] : undefined;
    return Array.isArray(v) ? v : []; // {} : nothing (past the head, or num <= 0)
  };

  return {
    post,
    get,
    solidifiedHead: (signal) => post("/walletsolidity/getnowblock", {}, signal),
    head: (signal) => post("/wallet/getnowblock", {}, signal),
    blocks: async (from, toExclusive, signal) => {
      if (toExclusive - from > MAX_BLOCKS_PER_CALL || toExclusive <= from)
        throw new RangeError(`blocks [${from}, ${toExclusive}): 1 to ${MAX_BLOCKS_PER_CALL} per call`);
      return list(await post("/wallet/getblockbylimitnext", { startNum: from, endNum: toExclusive }, signal), "block");
    },
    transactionInfos: async (num, signal) =>
      list(await post("/wallet/gettransactioninfobyblocknum", { num }, signal), "transactionInfo"),
    stats,
  };
}
