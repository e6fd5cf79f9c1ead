// The fast lane against the node emulator with faults and reorgs of the unsolidified tip: an hour of blocks followed
// in uneven steps equals the emulator's ground truth (every movement once, confirmed once solidified), the phantom
// movements only the replaced blocks held end dropped, and most movements are stored before their block solidifies.
import { describe, expect, it } from "vitest";
import { followBlocks } from "../src/pipeline/follow-blocks.ts";
import { TIP_SOURCE } from "../src/warehouse/types.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { blockOf, blockTimeMs } from "../src/emulator/chain.ts";
import { syncAll } from "../src/pipeline/sync-all.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { SOLIDIFY_BLOCKS } from "../src/emulator/node.ts";
import { parseFaults, parseQuirks } from "../src/emulator/server.ts";
import { Rng } from "../src/emulator/random.ts";
import {
  closeAfterEach,
  fastClient,
  fastNodeClient,
  memoryWarehouse,
  startEmulator,
  tempDir,
  testConfig,
} from "./helpers.ts";
import { stmt } from "./stmt.ts";

const HOUR = 3_600_000;

describe("fast lane", () => {
  it("an hour of blocks with faults and tip reorgs: the ground truth exactly, phantoms dropped, rows ahead of solidification", async () => {
    const nowMs = Date.parse("2026-05-20T13:37:11Z");
    const wallets = ORIGINAL_WALLETS.map((w) => ({ ...w, perHour: 240 }));
    const api = closeAfterEach(
      await startEmulator({
        seed: 47,
        days: 1,
        nowMs,
        wallets,
        reorgs: 0.3,
        retryAfterSec: 0,
        faults: parseFaults("429:0.03,500:0.03,truncated:0.03"),
        quirks: parseQuirks("holes:0.2,error200:0.03"),
      }),
    );
    const w = closeAfterEach(await memoryWarehouse());
    const client = fastNodeClient(api.url, 10);
    const watched = new Set(wallets.map((x) => x.address));
    const startBlock = blockOf(nowMs) - SOLIDIFY_BLOCKS + 1;
    const firstSeenAhead = new Map<string, boolean>();
    let maxUnconfirmed = 0;
    let reorgs = 0;
    const step = async () => {
      const r = await followBlocks({
        client,
        warehouse: w,
        watched,
        startBlock,
        runId: "fast",
        nowMs: () => api.emu.now(),
        fastLane: true,
      });
      reorgs += r.tip?.reorgs ?? 0;
      const rows = await w.query<{ id: string; block: string; confirmed: boolean }>(
        stmt("SELECT transfer_id AS id, block, confirmed FROM transfers"),
      );
      let unconfirmed = 0;
      for (const x of rows) {
        if (!x.confirmed) unconfirmed++;
        if (!firstSeenAhead.has(x.id)) firstSeenAhead.set(x.id, Number(x.block) > r.head.number);
      }
      maxUnconfirmed = Math.max(maxUnconfirmed, unconfirmed);
      return r;
    };
    const rng = new Rng("fast-lane-steps");
    for (let t = 0; t < HOUR; ) {
      const ms = 2000 + Math.floor(rng.next() * 14_000);
      api.emu.advance(ms);
      t += ms;
      await step();
    }
    api.emu.advance(2 * 60_000); // everything followed so far solidifies
    const last = await step();
    const solid = last.cursor!.number;
    expect(last.lagBlocks).toBe(0);
    expect(solid).toBe(blockOf(api.emu.now()) - SOLIDIFY_BLOCKS);
    expect((await w.getBlockCursor(TIP_SOURCE))!.number).toBeGreaterThan(solid);

    const truth = api.emu
      .truth(wallets.map((x) => x.address))
      .transfers.filter((x) => Number(x.block) >= startBlock && Number(x.block) <= solid)
      .map((x) => String(x.transfer_id))
      .sort();
    const kept = await w.query<{ id: string; confirmed: boolean }>(
      stmt(
        `SELECT transfer_id AS id, confirmed FROM transfers WHERE block <= ${solid} AND status <> 'dropped' ORDER BY 1`,
      ),
    );
    expect(truth.length).toBeGreaterThan(1000);
    expect(kept.map((x) => x.id)).toEqual(truth);
    expect(kept.every((x) => x.confirmed)).toBe(true);
    // the phantoms: loaded from replaced blocks, none of them true, all dropped
    const dropped = await w.query<{ id: string }>(
      stmt("SELECT transfer_id AS id FROM transfers WHERE status = 'dropped'"),
    );
    const truthSet = new Set(truth);
    expect(dropped.length).toBeGreaterThan(10);
    expect(dropped.filter((x) => truthSet.has(x.id))).toEqual([]);
    const [tx] = await w.query<{ n: string }>(
      stmt(`SELECT count(*) AS n FROM transactions WHERE status = 'dropped' AND confirmed`),
    );
    expect(tx.n).toBe("0");
    expect(reorgs).toBeGreaterThan(10);
    expect(api.emu.stats.faults.orphan).toBeGreaterThan(0);
    // the TronScan path over the same hour gives the same ids (one row per movement whichever source saw it)
    const viaTronscan = closeAfterEach(await memoryWarehouse());
    await syncAll({
      config: testConfig({
        url: api.url,
        wallets: wallets.map((x) => x.address),
        dir: tempDir(),
        extra: { history_start: new Date(blockTimeMs(startBlock)).toISOString() },
      }),
      warehouse: viaTronscan,
      client: fastClient(api.url),
      logger: silentLogger(),
      nowMs: api.emu.now(),
    });
    const tronscan = await viaTronscan.query<{ id: string }>(
      stmt(`SELECT transfer_id AS id FROM transfers WHERE block >= ${startBlock} AND block <= ${solid} ORDER BY 1`),
    );
    expect(tronscan.map((x) => x.id)).toEqual(truth);
    // the fast lane stored most movements while their block was still above the solidified head
    const ahead = truth.filter((id) => firstSeenAhead.get(id)).length;
    expect(maxUnconfirmed).toBeGreaterThan(0);
    expect(ahead / truth.length).toBeGreaterThan(0.9);
  }, 300_000);
});
