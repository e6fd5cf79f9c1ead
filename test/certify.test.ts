// A proof that covers the whole history: verify by default checks every day since the history start that is not yet
// certified, counting whole runs of days and splitting only where stored and counted disagree; certified days are not
// asked again until a load touches them; a source that over-counts costs at most the request budget and is reported.
import { describe, expect, it } from "vitest";
import { syncAll, createSyncDeps } from "../src/pipeline/sync-all.ts";
import { historyStartMs, verify } from "../src/pipeline/verify.ts";
import { gapDays } from "../src/warehouse/verification.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { parseQuirks } from "../src/emulator/server.ts";
import { DAY_MS, utcDay } from "../src/model/time.ts";
import { TRON_GENESIS_MS } from "../src/normalize/common.ts";
import { closeAfterEach, fastClient, memoryWarehouse, startEmulator, tempDir, testConfig } from "./helpers.ts";
import { stmt } from "./stmt.ts";

const NOW = Date.parse("2026-10-01T12:00:00Z");
const SMALL = ORIGINAL_WALLETS[1].address;

async function setup() {
  const api = closeAfterEach(await startEmulator({ seed: 5, days: 30, nowMs: NOW, retryAfterSec: 0 }));
  const config = testConfig({ url: api.url, wallets: [SMALL], dir: tempDir() });
  const warehouse = closeAfterEach(await memoryWarehouse());
  const client = fastClient(api.url);
  await syncAll({ config, warehouse, client, logger: silentLogger(), nowMs: NOW });
  const deps = () => createSyncDeps({ config, warehouse, client, runId: "v", nowMs: NOW });
  const whole = async (extra: Partial<Parameters<typeof verify>[0]> = {}) =>
    verify({
      deps: await deps(),
      wallets: [SMALL],
      fromMs: historyStartMs(config),
      toMs: NOW,
      recheckFromMs: utcDay(NOW),
      repair: false,
      ...extra,
    });
  return { api, config, warehouse, deps, whole };
}

describe("certification over the whole history", () => {
  it("eight years of a complete wallet cost a few requests per stream; certified days are not asked again", async () => {
    const s = await setup();
    const days = (utcDay(NOW) - utcDay(TRON_GENESIS_MS)) / DAY_MS + 1; // 2018-06-25 .. 2026-10-01
    expect(days).toBe(3021);
    const first = await s.whole();
    expect(first.days.filter((d) => d.verdict !== "ok")).toEqual([]);
    expect(first.days).toHaveLength(4 * days);
    // per stream: today by itself (an empty day is asked twice) and one count for the 3,020 days before it
    expect(first.requests).toBeLessThanOrEqual(4 * (2 + 2));
    const again = await s.whole();
    expect(again.certifiedBefore).toBe(4 * (days - 1));
    expect(again.days).toHaveLength(4); // today only
    expect(again.requests).toBeLessThanOrEqual(4 * 2);
  }, 120_000);

  it("a transfer lost 12 days ago is found by bisection down to its day, in the stream that lists it", async () => {
    const s = await setup();
    await s.whole();
    const day = utcDay(NOW) - 12 * DAY_MS;
    const [victim] = await s.warehouse.query<{ transfer_id: string }>(
      stmt(
        `SELECT transfer_id FROM transfers WHERE source = 'trc20' AND timestamp_ms >= ${day} AND timestamp_ms < ${day + DAY_MS} LIMIT 1`,
      ),
    );
    expect(victim).toBeDefined();
    await s.warehouse.query(stmt(`DELETE FROM transfers WHERE transfer_id = '${victim.transfer_id}'`));
    const v = await s.whole();
    const bad = v.days.filter((d) => d.verdict !== "ok");
    expect(
      bad.map((d) => [d.endpoint, new Date(d.dayMs).toISOString().slice(0, 10), d.verdict, d.api! - d.stored]),
    ).toEqual([["trc20", new Date(day).toISOString().slice(0, 10), "missing", 1]]);
    // the day's stored count changed: only the trc20 stream's days are counted again, halving 3,020 days to one
    expect(v.requests).toBeLessThanOrEqual(4 * 2 + 2 * Math.ceil(Math.log2(3020)) + 2);
    expect((await gapDays(s.warehouse)).get(SMALL)).toBe(1);
  }, 120_000);

  it("a TronScan that counts double costs at most the budget and is reported, not chased", async () => {
    const s = await setup();
    s.api.emu.quirks = parseQuirks("overcount:2");
    const day = utcDay(NOW) - 3 * DAY_MS;
    const v = await verify({
      deps: await s.deps(),
      wallets: [SMALL],
      fromMs: day,
      toMs: day + DAY_MS - 1,
      repair: true,
      budget: { requests: 1000, repairRequests: 40 },
    });
    const active = v.days.filter((d) => d.stored > 0);
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((d) => d.verdict === "unreliable")).toBe(true);
    // each active stream-day: its counts (at most 4 + 4) and one repair of at most 40 requests
    expect(v.requests).toBeLessThanOrEqual(active.length * (40 + 8) + (4 - active.length) * 2);
    expect((await gapDays(s.warehouse)).get(SMALL)).toBe(active.length);
    // a run budget: what is left unchecked is said
    const capped = await verify({
      deps: await s.deps(),
      wallets: [SMALL],
      fromMs: day - 10 * DAY_MS,
      toMs: day + DAY_MS - 1,
      repair: true,
      budget: { requests: 60, repairRequests: 40 },
    });
    expect(capped.requests).toBeLessThanOrEqual(60 + 40 + 8);
    expect(capped.unchecked).toBeGreaterThan(0);
  }, 120_000);

  it("what a spent budget left unchecked comes first next time", async () => {
    const api = closeAfterEach(await startEmulator({ seed: 5, days: 3, nowMs: NOW, retryAfterSec: 0 }));
    const two = [ORIGINAL_WALLETS[1].address, ORIGINAL_WALLETS[2].address];
    const config = testConfig({ url: api.url, wallets: two, dir: tempDir() });
    const warehouse = closeAfterEach(await memoryWarehouse());
    const client = fastClient(api.url);
    await syncAll({ config, warehouse, client, logger: silentLogger(), nowMs: NOW });
    const once = async () =>
      verify({
        deps: await createSyncDeps({ config, warehouse, client, runId: "v", nowMs: NOW }),
        wallets: two,
        fromMs: utcDay(NOW) - 2 * DAY_MS,
        toMs: NOW,
        repair: false,
        budget: { requests: 12, repairRequests: 10 }, // enough for one wallet's 4 streams x 3 days
      });
    const first = await once();
    expect(first.unchecked).toBeGreaterThan(0);
    expect(new Set(first.days.map((d) => d.wallet))).toEqual(new Set([two[0]]));
    const second = await once();
    expect(second.days[0].wallet).toBe(two[1]); // the wallet left unchecked is verified first
  }, 120_000);
});
