// watch with source.live: node against the emulator (TronScan and node endpoints over one history, tip reorgs): the
// first cycle backfills every wallet from TronScan, the block follower runs its own loop with the fast lane, later
// cycles sync no wallet from TronScan, and alerts on unconfirmed blocks reach a webhook marked unconfirmed.
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load.ts";
import { watch } from "../src/service/watch.ts";
import { untilNext } from "../src/service/follow-loop.ts";
import { DROPPED_REVIEWER, retractDropped } from "../src/anomalies/anomaly-store.ts";
import { walletLags } from "../src/health/reads.ts";
import { emptyBatch } from "../src/model/rows.ts";
import { needingBackfill } from "../src/warehouse/coverage.ts";
import { NODE_SOURCE } from "../src/warehouse/types.ts";
import { createNodeClient } from "../src/source/node/client.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { join } from "node:path";
import { closeAfterEach, fastClient, memoryWarehouse, startEmulator, tempDir } from "./helpers.ts";
import type { Clock } from "../src/service/schedule.ts";
import { stmt } from "./stmt.ts";

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
  delete process.env.TEST_NODE_HOOK;
});

async function receiver() {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      bodies.push(JSON.parse(body));
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, bodies };
}

describe("watch with the block follower", () => {
  it("backfills from TronScan once, follows blocks in its own loop, alerts on unconfirmed blocks marked so", async () => {
    const nowMs = Date.parse("2026-05-20T13:37:11Z");
    const wallets = ORIGINAL_WALLETS.map((w) => ({ ...w, perHour: 90 }));
    const api = closeAfterEach(await startEmulator({ seed: 53, days: 3, nowMs, wallets, reorgs: 0.2 }));
    const hook = await receiver();
    process.env.TEST_NODE_HOOK = hook.url;
    const dir = tempDir();
    const config = parseConfig({
      wallets: wallets.map((w) => ({ address: w.address })),
      source: { base_url: api.url, requests_per_second: 1000, burst: 100, concurrency: 3, live: "node" },
      node: { base_url: api.url, requests_per_second: 1000, poll_seconds: 3, fast_lane: true },
      schedule: { every: "10m" },
      verify: { every_cycles: 0 },
      anomalies: { new_counterparty: { direction: "any" } },
      notify: { sinks: [{ name: "hook", kind: "webhook", url_env: "TEST_NODE_HOOK" }] },
      output: { dir: join(dir, "out"), structured: false },
    });
    const w = closeAfterEach(await memoryWarehouse());
    // one virtual clock: every sleep of either loop moves the emulator's time on
    const clock: Clock = { now: () => api.emu.now(), sleep: async (ms) => api.emu.advance(Math.max(0, ms)) };
    const before: Record<string, number> = {};
    let cycles = 0;
    await watch({
      config,
      warehouse: w,
      logger: silentLogger(),
      clock,
      signal: new AbortController().signal,
      maxCycles: 3,
      client: () => fastClient(api.url),
      nodeClient: () => createNodeClient({ baseUrl: api.url, requestsPerSecond: 10_000, burst: 1000, maxRetries: 4 }),
      onCycle: () => {
        cycles++;
        if (cycles === 2) Object.assign(before, api.emu.stats.byPath);
      },
    });
    // the third cycle listed nothing from TronScan: every wallet was backfilled past where the follower took over
    const listed = Object.entries(api.emu.stats.byPath)
      .filter(([p]) => p.startsWith("/api/") && p !== "/api/transaction-info")
      .reduce((n, [p, c]) => n + c - (before[p] ?? 0), 0);
    expect(listed).toBe(0);
    expect(
      await needingBackfill(
        w,
        wallets.map((x) => x.address),
      ),
    ).toEqual([]);
    const cursor = await w.getBlockCursor(NODE_SOURCE);
    expect(cursor).not.toBeNull();

    // every true movement up to the solidified cursor is stored once, from TronScan's backfill or from blocks
    const truth = api.emu
      .truth(wallets.map((x) => x.address))
      .transfers.filter((x) => Number(x.block) <= cursor!.number)
      .map((x) => String(x.transfer_id))
      .sort();
    const kept = await w.query<{ id: string }>(
      stmt(
        `SELECT transfer_id AS id FROM transfers WHERE block <= ${cursor!.number} AND status <> 'dropped' ORDER BY 1`,
      ),
    );
    expect(kept.map((x) => x.id)).toEqual(truth);
    const [followRuns] = await w.query<{ n: string }>(
      stmt("SELECT count(*) AS n FROM runs WHERE command = 'follow' AND status = 'success'"),
    );
    expect(Number(followRuns.n)).toBeGreaterThan(0);
    // the wallets are complete up to the follower's cursor, not to TronScan's last backfill (ten minutes and more ago)
    for (const l of await walletLags(w, api.emu.now())) expect(l.lagMinutes).toBeLessThanOrEqual(2);
    // no open finding is about a transaction that was dropped
    const [open] = await w.query<{ n: string }>(
      stmt(`SELECT count(*) AS n FROM anomalies a JOIN transactions t ON t.hash = a.transaction_id
        WHERE t.status = 'dropped' AND a.reviewed_at_ms IS NULL`),
    );
    expect(open.n).toBe("0");
    // alerts left for the webhook, some about transfers of blocks not solidified yet
    const texts = hook.bodies.map((b) => JSON.stringify(b));
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.some((t) => t.includes("(unconfirmed)"))).toBe(true);
  }, 240_000);
});

describe("when the follower looks again", () => {
  // blocks at 3,000,000 + 3000k; a pass runs 500 ms after each slot starts
  it("half a second after the next slot; after a pass that found nothing, again in 0.7 s (twice), then the next slot", () => {
    expect(untilNext(3_000_000, 3_000_100, 3000, 0)).toBe(400); // before this slot's pass time
    expect(untilNext(3_000_000, 3_000_600, 3000, 0)).toBe(2900); // just after it: the next slot's
    expect(untilNext(3_000_000, 3_003_499, 3000, 0)).toBe(1);
    expect(untilNext(3_000_000, 3_003_500, 3000, 0)).toBe(3000);
    expect(untilNext(3_000_000, 3_000_600, 3000, 1)).toBe(700);
    expect(untilNext(3_000_000, 3_000_600, 3000, 2)).toBe(700);
    expect(untilNext(3_000_000, 3_000_600, 3000, 3)).toBe(2900);
    expect(untilNext(3_000_000, 3_010_000, 10_000, 0)).toBe(500); // a 10 s poll on the same grid
  });
});

describe("findings on dropped transactions", () => {
  it("are marked reviewed by tronmon with the reason, once; findings on transactions that stayed are left open", async () => {
    const w = closeAfterEach(await memoryWarehouse());
    const T = Date.parse("2026-05-20T13:00:00Z");
    const tx = (hash: string, status: "dropped" | "success") => ({
      hash,
      block: 1,
      timestampMs: T,
      ownerAddress: "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF",
      toAddress: null,
      contractType: 1,
      contractTypeName: "TransferContract",
      status,
      contractRet: "SUCCESS",
      confirmed: false,
      feeSun: null,
      raw: "{}",
      detail: 1 as const,
      observedAtMs: T,
    });
    await w.load({ batch: { ...emptyBatch(), transactions: [tx("aa", "dropped"), tx("bb", "success")] }, runId: "t" });
    for (const [id, tx] of [
      ["a1", "aa"],
      ["b1", "bb"],
    ])
      await w.query(
        stmt(
          `INSERT INTO anomalies VALUES (?, 'new_counterparty', 'TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF', ?, NULL, NULL, NULL,
          NULL, NULL, 'Sent 5 USDT to a new address (unconfirmed)', '{}', ?, ?, true, 'info', NULL, NULL, NULL)`,
          [id, tx, T, T],
        ),
      );
    expect(await retractDropped(w, T + 60_000)).toBe(1);
    expect(await retractDropped(w, T + 120_000)).toBe(0);
    const rows = await w.query<{ anomaly_id: string; reviewed_at_ms: string | null; reviewed_by: string | null }>(
      stmt("SELECT anomaly_id, reviewed_at_ms, reviewed_by FROM anomalies ORDER BY anomaly_id"),
    );
    expect(rows).toEqual([
      { anomaly_id: "a1", reviewed_at_ms: String(T + 60_000), reviewed_by: DROPPED_REVIEWER },
      { anomaly_id: "b1", reviewed_at_ms: null, reviewed_by: null },
    ]);
  });
});
