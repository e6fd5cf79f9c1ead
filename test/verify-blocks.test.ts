// Two sources, one proof: rows the block follower stored count in `verify` like the TronScan path's (the follower
// writes the observation ledger too), so a block-followed day certifies against TronScan's counts at the cost of the
// count requests, and a wallet-day whose follower rows are lost is found and repaired.
import { describe, expect, it } from "vitest";
import { createSyncDeps } from "../src/pipeline/sync-all.ts";
import { verify } from "../src/pipeline/verify.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { blockOf } from "../src/emulator/chain.ts";
import { SOLIDIFY_BLOCKS } from "../src/emulator/node.ts";
import { DAY_MS, utcDay } from "../src/model/time.ts";
import {
  closeAfterEach,
  fastClient,
  memoryWarehouse,
  startEmulator,
  tempDir,
  testConfig,
  followEmulator,
} from "./helpers.ts";
import { stmt } from "./stmt.ts";

describe("verify over block-followed rows", () => {
  it("a day followed from blocks certifies with count requests only; one wallet-day's lost rows are found and repaired", async () => {
    const nowMs = Date.parse("2026-05-21T06:00:00Z");
    const api = closeAfterEach(await startEmulator({ seed: 7, days: 2, nowMs }));
    const wallets = ORIGINAL_WALLETS.map((w) => w.address);
    const w = closeAfterEach(await memoryWarehouse());
    const day = utcDay(nowMs) - DAY_MS; // 2026-05-20, whole
    const r = await followEmulator(api.url, w, wallets, blockOf(day) - 1, nowMs);
    expect(r.cursor?.number).toBe(blockOf(nowMs) - SOLIDIFY_BLOCKS);
    const deps = await createSyncDeps({
      config: testConfig({ url: api.url, wallets, dir: tempDir() }),
      warehouse: w,
      client: fastClient(api.url),
      runId: "v",
      nowMs,
    });
    const check = () => verify({ deps, wallets, fromMs: day, toMs: day + DAY_MS - 1, repair: true });
    const first = await check();
    // 4 wallets x 4 streams x 1 day, each answered by its count (an empty day is asked twice)
    expect(first.days.map((d) => `${d.endpoint}:${d.verdict}`).filter((v) => !v.endsWith(":ok"))).toEqual([]);
    expect(first.days).toHaveLength(16);
    expect(first.days.filter((d) => d.stored > 0).length).toBeGreaterThan(8);
    expect(first.requests).toBeLessThanOrEqual(32);
    // the follower's rows of one wallet-day are lost: verify finds the day missing and the repair brings the same rows
    const victim = wallets[0];
    const before = await w.query<{ id: string }>(
      stmt(
        `SELECT transfer_id AS id FROM transfers WHERE to_address = '${victim}' AND timestamp_ms >= ${day} AND timestamp_ms < ${day + DAY_MS} ORDER BY 1`,
      ),
    );
    expect(before.length).toBeGreaterThan(0);
    await w.query(
      stmt(
        `DELETE FROM transfers WHERE to_address = '${victim}' AND timestamp_ms >= ${day} AND timestamp_ms < ${day + DAY_MS}`,
      ),
    );
    const second = await check();
    expect(second.missing).toBeGreaterThan(0);
    // the verdict says whose rows the day holds: the blocks lack what TronScan lists
    expect(new Set(second.days.filter((d) => d.verdict === "repaired").map((d) => d.rowsFrom))).toEqual(
      new Set(["blocks"]),
    );
    expect(second.stillMissing).toBe(0);
    expect(second.repaired).toBe(second.missing);
    const after = await w.query<{ id: string }>(
      stmt(
        `SELECT transfer_id AS id FROM transfers WHERE to_address = '${victim}' AND timestamp_ms >= ${day} AND timestamp_ms < ${day + DAY_MS} ORDER BY 1`,
      ),
    );
    expect(after).toEqual(before);
  }, 120_000);
});
