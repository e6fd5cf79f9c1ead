// Against the emulator over real HTTP: backfill past the 10,000-row window, incremental cycles, faults,
import { duckdbSettings } from "../src/config/schema.ts";
// and what a run costs when nothing is new. The yardstick is the emulator's own ground truth.
import { describe, expect, it } from "vitest";
import { syncAll } from "../src/pipeline/sync-all.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { expectEqualSets, snapshot, truth } from "./truth.ts";
import { ENDPOINTS } from "../src/model/rows.ts";
import { fastClient, startEmulator, tempDir, testConfig } from "./helpers.ts";
import { stmt } from "./stmt.ts";

const NOW = Date.parse("2026-10-01T12:00:00Z");
const HEAVY = ORIGINAL_WALLETS[0].address;
const SMALL = ORIGINAL_WALLETS[1].address;

async function cycles(args: { faults?: string; wallets: string[] }) {
  const api = await startEmulator({ seed: 11, days: 30, nowMs: NOW, retryAfterSec: 0 });
  if (args.faults) api.emu.faults = (await import("../src/emulator/server.ts")).parseFaults(args.faults);
  const dir = tempDir();
  const config = testConfig({ url: api.url, wallets: args.wallets, dir });
  const warehouse = await createDuckDbWarehouse({ path: duckdbSettings(config).path });
  await warehouse.migrate();
  const client = fastClient(api.url);
  const summaries = [];
  try {
    summaries.push(await syncAll({ config, warehouse, client, logger: silentLogger(), nowMs: api.emu.now() }));
    for (const minutes of [7, 30, 180]) {
      api.emu.advance(minutes * 60_000);
      summaries.push(await syncAll({ config, warehouse, client, logger: silentLogger(), nowMs: api.emu.now() }));
    }
    return {
      summaries,
      actual: await snapshot(warehouse),
      expected: truth(api.emu, args.wallets),
      emu: api.emu,
      client,
    };
  } finally {
    await warehouse.close();
    await api.close();
  }
}

/** Cycles against an emulator, moving it on by `steps` minutes before each, our clock `aheadMs` ahead of it. */
async function cyclesAgainst(
  api: Awaited<ReturnType<typeof startEmulator>>,
  wallets: string[],
  steps: number[],
  aheadMs = 0,
) {
  const config = testConfig({ url: api.url, wallets, dir: tempDir() });
  const warehouse = await createDuckDbWarehouse({ path: duckdbSettings(config).path });
  await warehouse.migrate();
  try {
    for (const minutes of steps) {
      api.emu.advance(minutes * 60_000);
      const s = await syncAll({
        config,
        warehouse,
        client: fastClient(api.url),
        logger: silentLogger(),
        nowMs: api.emu.now() + aheadMs,
      });
      expect(s.status).toBe("success");
    }
    const actual = await snapshot(warehouse);
    const expected = truth(api.emu, wallets);
    expectEqualSets(actual.transfers, expected.transfers, "transfers");
    expectEqualSets(actual.transactions, expected.transactions, "transactions");
  } finally {
    await warehouse.close();
    await api.close();
  }
}

describe("sync against the emulator", () => {
  it("a backfill past the 10,000-row window and three incremental cycles equal the ground truth", async () => {
    const { summaries, actual, expected, emu } = await cycles({ wallets: [HEAVY, SMALL] });
    expect(summaries.map((s) => s.status)).toEqual(["success", "success", "success", "success"]);
    // the heavy wallet really has more rows than one offset window on an endpoint
    const trc20Rows = emu.list(HEAVY, "trc20", new URLSearchParams()).rangeTotal;
    expect(trc20Rows).toBeGreaterThan(10_000);
    expect(summaries[0].endpoints.find((e) => e.wallet === HEAVY && e.endpoint === "trc20")!.pages).toBeGreaterThan(
      200,
    );
    // every cycle after the first found new activity
    for (const s of summaries.slice(1)) expect(s.totals.transfersNew).toBeGreaterThan(0);
    expect(actual.transfers.length).toBeGreaterThan(20_000);
    expectEqualSets(actual.transfers, expected.transfers, "transfers");
    expectEqualSets(actual.transactions, expected.transactions, "transactions");
  });

  it("the same with 20% of requests failing (429, 403, HTML 403, 500, 502, truncated bodies) and short pages", async () => {
    const { summaries, actual, expected, client } = await cycles({
      wallets: [HEAVY, SMALL],
      faults: "429:0.04,403:0.03,html403:0.02,500:0.05,502:0.03,truncated:0.04,short:0.15",
    });
    expect(summaries.map((s) => s.status)).toEqual(["success", "success", "success", "success"]);
    const failedShare = client.stats.retries / client.stats.requests;
    expect(failedShare).toBeGreaterThan(0.15);
    expect(client.stats.throttled).toBeGreaterThan(0);
    expectEqualSets(actual.transfers, expected.transfers, "transfers");
    expectEqualSets(actual.transactions, expected.transactions, "transactions");
  });

  it("the same against API variants: token_trc20/transfers capped at 20 rows a page, exclusive timestamp bounds", async () => {
    const api = await startEmulator({ seed: 8, days: 6, nowMs: NOW, maxLimit: { trc20: 20 }, exclusiveBounds: true });
    await cyclesAgainst(api, [HEAVY, SMALL], [0, 45, 200]);
  });

  it("a source that lags 40 minutes behind our clock loses nothing across cycles", async () => {
    const api = await startEmulator({ seed: 4, days: 3, nowMs: NOW });
    await cyclesAgainst(api, [HEAVY, SMALL], [0, 30, 30, 120], 40 * 60_000);
  });

  it("two runs in a row with nothing new: the second adds nothing and sends one request per wallet and stream (two for a stream with no rows)", async () => {
    const api = await startEmulator({ seed: 11, days: 5, nowMs: NOW });
    const dir = tempDir();
    const wallets = ORIGINAL_WALLETS.map((w) => w.address);
    const config = testConfig({ url: api.url, wallets, dir });
    const warehouse = await createDuckDbWarehouse({ path: duckdbSettings(config).path });
    await warehouse.migrate();
    try {
      await syncAll({ config, warehouse, client: fastClient(api.url), logger: silentLogger(), nowMs: api.emu.now() });
      const before = api.emu.stats.requests;
      const second = await syncAll({
        config,
        warehouse,
        client: fastClient(api.url),
        logger: silentLogger(),
        nowMs: api.emu.now() + 1000,
      });
      expect(second.totals.transfersNew + second.totals.transactionsNew + second.totals.updated).toBe(0);
      // one request per stream; a stream that never had a row gets an empty answer, which a second request confirms
      const [{ n: emptyStreams }] = await warehouse.query<{ n: number }>(
        stmt("SELECT count(*)::INTEGER AS n FROM sync_cursors WHERE newest_ms IS NULL"),
      );
      expect(api.emu.stats.requests - before).toBe(wallets.length * ENDPOINTS.length + emptyStreams);
    } finally {
      await warehouse.close();
      await api.close();
    }
  });
});
