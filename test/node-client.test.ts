// The node client against a scripted local HTTP server replaying the node's recorded answers
// (test/fixtures/trongrid): throttling by TronGrid and by java-tron's own limiter, errors inside 200s, refusals that
// no retry fixes, empty answers, the API key header.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createNodeClient } from "../src/source/node/client.ts";
import { RateLimitError, SourceHttpError, SourceUnavailableError } from "../src/internal/errors.ts";
import { fakeClock, scripted } from "./scripted.ts";
import { ROOT } from "./helpers.ts";

const recorded = (name: string) => readFileSync(join(ROOT, "test/fixtures/trongrid", `${name}.json`), "utf8");
const client = (url: string, clock = fakeClock()) =>
  createNodeClient({
    baseUrl: url,
    apiKey: "k-123",
    requestsPerSecond: 1000,
    baseDelayMs: 100,
    maxRetries: 3,
    random: () => 1,
    clock,
  });

describe("node client", () => {
  it("waits what TronGrid demands on 429 ('suspended for 27 s') and retries java-tron's 'lack of computing resources' inside a 200", async () => {
    const api = await scripted([
      { status: 429, body: recorded("error_429_trongrid_rate_limit_1") },
      { status: 200, body: recorded("error_javatron_ratelimiter_documented_1") },
      { status: 200, body: recorded("getblockbylimitnext_1") },
    ]);
    const clock = fakeClock();
    const c = client(api.url, clock);
    const blocks = await c.blocks(1, 5);
    expect(blocks).toHaveLength(4); // endNum is exclusive: blocks 1..4
    expect(clock.slept[0]).toBe(27_000);
    expect(clock.slept[1]).toBe(200); // then backoff 100 * 2^1
    expect(c.stats).toMatchObject({ requests: 3, retries: 2, throttled: 2 });
    expect(api.seen[0].headers["tron-pro-api-key"]).toBe("k-123");
    expect(api.seen[0].method).toBe("POST");
    expect(api.seen[0].url).toBe("/wallet/getblockbylimitnext");
    expect(JSON.parse(api.bodies[0])).toEqual({ startNum: 1, endNum: 5 });
  });

  it("403 'suspended for 30s' is throttling; a Java exception inside a 200 is retried, then the node is unavailable", async () => {
    const api = await scripted([
      { status: 403, body: recorded("error_403_trongrid_rate_limit_documented_1") },
      { status: 200, body: recorded("error_javatron_exception_1") },
    ]);
    const clock = fakeClock();
    const err = (await client(api.url, clock)
      .solidifiedHead()
      .catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect(err.message).toMatch(/NullPointerException/);
    expect(clock.slept[0]).toBe(30_000);
    expect(api.seen).toHaveLength(4); // 1 + 3 retries
    expect(api.seen[0].url).toBe("/walletsolidity/getnowblock");
  });

  it("refusals no retry fixes fail at once, naming the cause: a disabled API, a lite fullnode, a gateway's 405, an unknown path", async () => {
    const cases: [number, string, RegExp][] = [
      [404, recorded("error_javatron_api_disabled_documented_1"), /unavailable due to config.*disabled on this node/],
      [200, "this API is closed because this node is a lite fullnode", /lite fullnode serves no history/],
      [405, recorded("error_405_getblock_io_walletsolidity_1"), /HTTP 405/],
      [404, "<html><body><h2>HTTP ERROR 404 Not Found</h2></body></html>", /not a java-tron HTTP API path/],
    ];
    for (const [status, body, message] of cases) {
      const api = await scripted([{ status, body }]);
      const err = (await client(api.url)
        .transactionInfos(7)
        .catch((e: Error) => e)) as Error;
      expect(err).toBeInstanceOf(SourceHttpError);
      expect(err.message).toMatch(message);
      expect(api.seen).toHaveLength(1);
    }
  });

  it("a wait longer than we wait within a cycle stops the stream with RateLimitError", async () => {
    const api = await scripted([{ status: 429, body: '{"Error":"... the query server is suspended for 600 s"}' }]);
    await expect(client(api.url).head()).rejects.toBeInstanceOf(RateLimitError);
    expect(api.seen).toHaveLength(1);
  });

  it('empty answers: {} and {"block":[]} past the head, [] for a block without transactions; infos as an array', async () => {
    for (const body of ["{}", '{"block":[]}']) {
      const api = await scripted([{ status: 200, body }]);
      expect(await client(api.url).blocks(90_000_000, 90_000_100)).toEqual([]);
    }
    const none = await scripted([{ status: 200, body: "[]" }]);
    expect(await client(none.url).transactionInfos(5)).toEqual([]);
    const infos = await scripted([{ status: 200, body: recorded("gettransactioninfobyblocknum_1") }]);
    expect(await client(infos.url).transactionInfos(1_000_000)).toHaveLength(6);
    await expect(client(infos.url).blocks(1, 102)).rejects.toThrow(/1 to 100 per call/);
  });
});
