// The emulator's node endpoints over the same history as its TronScan endpoints: following the blocks gives the
// watched wallets' movements with the ids the TronScan path gives them (one row per movement whichever source).
import { describe, expect, it } from "vitest";
import { syncAll } from "../src/pipeline/sync-all.ts";
import { followBlocks } from "../src/pipeline/follow-blocks.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { blockOf, blockTimeMs } from "../src/emulator/chain.ts";
import { SOLIDIFY_BLOCKS } from "../src/emulator/node.ts";
import { parseFaults, parseQuirks } from "../src/emulator/server.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  closeAfterEach,
  fastClient,
  fastNodeClient,
  followEmulator,
  memoryWarehouse,
  startEmulator,
  tempDir,
  testConfig,
  tronmon,
} from "./helpers.ts";
import { stmt } from "./stmt.ts";

describe("node emulator", () => {
  it("a day of blocks followed gives the TronScan path's transfer ids for the watched wallets, and its transactions", async () => {
    const nowMs = Date.parse("2026-05-20T13:37:11Z");
    const api = closeAfterEach(await startEmulator({ seed: 41, days: 1, nowMs }));
    const wallets = ORIGINAL_WALLETS.map((w) => w.address);
    const viaTronscan = closeAfterEach(await memoryWarehouse());
    await syncAll({
      config: testConfig({ url: api.url, wallets, dir: tempDir() }),
      warehouse: viaTronscan,
      client: fastClient(api.url),
      logger: silentLogger(),
      nowMs,
    });
    const viaNode = closeAfterEach(await memoryWarehouse());
    const start = blockOf(nowMs - 86_400_000);
    const r = await followEmulator(api.url, viaNode, wallets, start, nowMs);
    const solid = blockOf(nowMs) - SOLIDIFY_BLOCKS;
    expect(r.cursor?.number).toBe(solid);
    expect(r.blocks).toBe(solid - start + 1);
    const ids = async (w: typeof viaNode, table: "transfers" | "transactions") =>
      (
        await w.query<{ id: string }>(
          stmt(
            table === "transfers"
              ? `SELECT transfer_id AS id FROM transfers WHERE block >= ${start} AND block <= ${solid} ORDER BY 1`
              : `SELECT hash AS id FROM transactions WHERE block >= ${start} AND block <= ${solid} ORDER BY 1`,
          ),
        )
      ).map((x) => x.id);
    const node = await ids(viaNode, "transfers");
    expect(node.length).toBeGreaterThan(200);
    expect(node).toEqual(await ids(viaTronscan, "transfers"));
    expect(await ids(viaNode, "transactions")).toEqual(await ids(viaTronscan, "transactions"));
    // the block times are the slots' starts, within 3 s of the TronScan rows' times
    const [skew] = await viaNode.query<{ n: string }>(
      stmt(`SELECT count(*) AS n FROM transfers WHERE timestamp_ms % 3000 <> 0`),
    );
    expect(skew.n).toBe("0");
    expect(blockTimeMs(solid) % 3000).toBe(0);
  }, 120_000);

  it("tronmon follow: from node.start_block to the solidified head, then only what is new; status shows where it stands", async () => {
    const nowMs = Date.parse("2026-05-20T13:37:11Z");
    const api = closeAfterEach(await startEmulator({ seed: 41, days: 1, nowMs }));
    const dir = tempDir();
    const solid = blockOf(nowMs) - SOLIDIFY_BLOCKS;
    writeFileSync(
      join(dir, "tronmon.yaml"),
      [
        "wallets:",
        ...ORIGINAL_WALLETS.map((w) => `  - address: ${w.address}`),
        "node:",
        `  base_url: ${api.url}`,
        "  requests_per_second: 1000",
        `  start_block: ${solid - 599}`,
        "warehouse:",
        `  path: ${join(dir, "t.duckdb")}`,
        "logging:",
        `  file: ${join(dir, "t.log")}`,
      ].join("\n"),
    );
    const first = await tronmon(["follow", "--config", "tronmon.yaml", "--json"], dir);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ blocks: 600, cursor: solid, head: solid, lag_blocks: 0 });
    api.emu.advance(30_000); // 10 more blocks solidified
    const again = await tronmon(["follow", "--config", "tronmon.yaml", "--json"], dir);
    expect(JSON.parse(again.stdout)).toMatchObject({ blocks: 10, cursor: solid + 10 });
    const status = await tronmon(["status", "--config", "tronmon.yaml"], dir);
    expect(status.stdout).toContain(`block source: followed blocks ${solid - 599}–${solid + 10} (`);
    const bad = await tronmon(["follow", "--config", "tronmon.yaml", "--blocks", "0"], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--blocks "0" must be a positive whole number/);
  }, 120_000);

  it("with throttling, errors inside 200s, 5xx, truncated bodies and range answers missing blocks: the same rows", async () => {
    const nowMs = Date.parse("2026-05-20T13:37:11Z");
    const follow = async (opts: { faults?: string; quirks?: string }) => {
      const api = closeAfterEach(
        await startEmulator({
          seed: 43,
          days: 1,
          nowMs,
          retryAfterSec: 0,
          faults: parseFaults(opts.faults),
          quirks: parseQuirks(opts.quirks),
        }),
      );
      const w = closeAfterEach(await memoryWarehouse());
      const client = fastNodeClient(api.url);
      const r = await followBlocks({
        client,
        warehouse: w,
        watched: new Set(ORIGINAL_WALLETS.map((x) => x.address)),
        startBlock: blockOf(nowMs) - 3000,
        runId: "f",
        nowMs: () => nowMs,
      });
      const rows = await w.query<{ id: string }>(stmt("SELECT transfer_id AS id FROM transfers ORDER BY 1"));
      return { r, client, ids: rows.map((x) => x.id), faults: api.emu.stats.faults };
    };
    const clean = await follow({});
    const faulty = await follow({
      faults: "429:0.05,403:0.05,html403:0.03,500:0.05,truncated:0.05",
      quirks: "holes:0.3,error200:0.05",
    });
    expect(clean.ids.length).toBeGreaterThan(20);
    expect(faulty.ids).toEqual(clean.ids);
    expect(faulty.r.cursor).toEqual(clean.r.cursor);
    expect(faulty.client.stats.retries).toBeGreaterThan(5);
    expect(faulty.faults.holes).toBeGreaterThan(0); // range answers did lose blocks
  }, 120_000);
});
