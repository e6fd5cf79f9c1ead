// The TronScan client against a scripted local HTTP server: throttling, retries, fail-fast, API key header.
import { describe, expect, it } from "vitest";
import { createTronscanClient } from "../src/source/tronscan/client.ts";
import { parseRetryAfter } from "../src/source/http.ts";
import { TokenBucket } from "../src/source/tronscan/rate-limit.ts";
import { fakeClock, scripted } from "./scripted.ts";
import { SourceHttpError, SourceUnavailableError } from "../src/internal/errors.ts";

const ok = { status: 200, body: '{"total":0,"data":[]}' };

describe("TronScan client", () => {
  it("honours Retry-After on 429 and treats 403 'request too quickly' as throttling", async () => {
    const api = await scripted([
      { status: 429, body: '{"message":"rate limit"}', headers: { "retry-after": "7" } },
      { status: 403, body: '{"code":403,"message":"request too quickly, please retry later."}' },
      ok,
    ]);
    const clock = fakeClock();
    const client = createTronscanClient({
      baseUrl: api.url,
      requestsPerSecond: 1000,
      burst: 10,
      clock,
      random: () => 1,
      baseDelayMs: 100,
    });
    const res = await client.get("/api/transaction", { address: "T1" });
    expect(res.body).toEqual({ total: 0, data: [] });
    expect(res.attempts).toBe(3);
    expect(client.stats.throttled).toBe(2);
    expect(clock.slept).toContain(7000); // Retry-After: 7 s
    expect(clock.slept).toContain(200); // then backoff 100 * 2^1 (jitter factor 1)
  });

  it("an error inside HTTP 200 is an error: retried, then the request fails with its message (never an empty page)", async () => {
    const error200 = { status: 200, body: '{"code":403,"status":"0","message":"invalid API key","total":0,"data":[]}' };
    const api = await scripted([error200, ok]);
    const client = createTronscanClient({ baseUrl: api.url, requestsPerSecond: 1000, clock: fakeClock() });
    expect((await client.get("/api/transaction", { address: "T1" })).attempts).toBe(2);
    const always = await scripted([error200]);
    const failing = createTronscanClient({
      baseUrl: always.url,
      requestsPerSecond: 1000,
      clock: fakeClock(),
      maxRetries: 2,
    });
    await expect(failing.get("/api/transaction", { address: "T1" })).rejects.toThrow(
      /after 3 attempts: an error inside HTTP 200: invalid API key \(code 403\)/,
    );
  });

  it("a Retry-After beyond 120 s is not slept through: the request fails at once, naming the wait", async () => {
    const api = await scripted([{ status: 429, body: "{}", headers: { "retry-after": "99999999" } }, ok]);
    const clock = fakeClock();
    const client = createTronscanClient({ baseUrl: api.url, requestsPerSecond: 1000, clock });
    await expect(client.get("/api/transfer", { address: "T1" })).rejects.toThrow(
      /asked us to wait 99999999 s \(Retry-After\), more than the 120 s/,
    );
    expect(clock.slept).toEqual([]);
    expect(api.seen).toHaveLength(1);
  });

  it("retries 5xx and truncated JSON, then succeeds", async () => {
    const api = await scripted([
      { status: 502, body: "<html>bad gateway</html>" },
      { status: 200, body: '{"total":1,"da' },
      ok,
    ]);
    const client = createTronscanClient({ baseUrl: api.url, requestsPerSecond: 1000, clock: fakeClock() });
    const res = await client.get("/api/transfer", { address: "T1" });
    expect(res.attempts).toBe(3);
    expect(client.stats.retries).toBe(2);
  });

  it("fails fast on 400 with the API's message, and on 401 says a key is needed", async () => {
    const api = await scripted([{ status: 400, body: '{"message":"some parameters are invalid or out of range"}' }]);
    const client = createTronscanClient({ baseUrl: api.url, requestsPerSecond: 1000, clock: fakeClock() });
    await expect(client.get("/api/transaction", { address: "x" })).rejects.toThrow(
      /HTTP 400: some parameters are invalid or out of range/,
    );
    expect(api.seen).toHaveLength(1);
    const api2 = await scripted([{ status: 401, body: "" }]);
    const c2 = createTronscanClient({ baseUrl: api2.url, requestsPerSecond: 1000, clock: fakeClock() });
    const err = await c2.get("/api/accountv2", {}).catch((e) => e);
    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err.message).toMatch(/TRONSCAN_API_KEY/);
  });

  it("gives up after max retries with a clear message", async () => {
    const api = await scripted([{ status: 500, body: '{"message":"Internal Server Error"}' }]);
    const client = createTronscanClient({
      baseUrl: api.url,
      requestsPerSecond: 1000,
      maxRetries: 2,
      clock: fakeClock(),
    });
    const err = await client.get("/api/transfer", { address: "T1" }).catch((e) => e);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect(err.message).toMatch(/failed after 3 attempts: HTTP 500: Internal Server Error/);
  });

  it("sends TRON-PRO-API-KEY only when a key is set", async () => {
    const api = await scripted([ok]);
    await createTronscanClient({ baseUrl: api.url, requestsPerSecond: 1000, apiKey: "secret-key" }).get(
      "/api/transfer",
      { address: "T1" },
    );
    await createTronscanClient({ baseUrl: api.url, requestsPerSecond: 1000 }).get("/api/transfer", { address: "T1" });
    expect(api.seen[0].headers["tron-pro-api-key"]).toBe("secret-key");
    expect(api.seen[1].headers["tron-pro-api-key"]).toBeUndefined();
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    expect(parseRetryAfter("3", 0)).toBe(3000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", Date.parse("2015-10-21T07:28:00Z"))).toBe(5000);
    expect(parseRetryAfter(null, 0)).toBeNull();
  });
});

describe("token bucket", () => {
  it("lets a burst through, then paces at the configured rate", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(2, 3, clock);
    const start = clock.now();
    for (let i = 0; i < 7; i++) await bucket.take();
    // 3 at once, then 4 more at 2/s = 2 s
    expect(clock.now() - start).toBe(2000);
  });
  it("pauses everyone after throttling", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(100, 100, clock);
    bucket.pause(clock.now() + 5000);
    const start = clock.now();
    await bucket.take();
    expect(clock.now() - start).toBeGreaterThanOrEqual(5000);
  });
});

describe("a host that cannot be reached", () => {
  /** A port nothing listens on (taken from the OS, then closed). */
  async function closedPort(): Promise<number> {
    const { createServer } = await import("node:net");
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
    const port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    return port;
  }

  it("refused: every retry is used (a restart is ridden out), then the other requests fail at once", async () => {
    const port = await closedPort();
    const client = createTronscanClient({
      baseUrl: `http://127.0.0.1:${port}`,
      requestsPerSecond: 1000,
      maxRetries: 3,
      baseDelayMs: 1,
      clock: fakeClock(),
    });
    await expect(client.get("/api/transaction", { address: "T1" })).rejects.toThrow(
      new RegExp(`cannot reach TronScan at http://127\\.0\\.0\\.1:${port}.*ECONNREFUSED`),
    );
    expect(client.stats.requests).toBe(4); // the first attempt and 3 retries
    await expect(client.get("/api/transfer", { address: "T1" })).rejects.toThrow(SourceUnavailableError);
    expect(client.stats.requests).toBe(4); // no new attempt: the host is known to be down for now
  });

  it("refused while a server restarts: the retries reach it once it listens again", async () => {
    const port = await closedPort();
    const { createServer } = await import("node:http");
    const server = createServer((_q, res) => res.end('{"total":0,"data":[]}'));
    const client = createTronscanClient({
      baseUrl: `http://127.0.0.1:${port}`,
      requestsPerSecond: 1000,
      maxRetries: 6,
      baseDelayMs: 100,
      random: () => 1,
    });
    setTimeout(() => server.listen(port, "127.0.0.1"), 250); // back after the first attempts are refused
    try {
      const res = await client.get("/api/transaction", { address: "T1" });
      expect(res.body).toEqual({ total: 0, data: [] });
      expect(res.attempts).toBeGreaterThan(1);
    } finally {
      server.close();
    }
  });
});
