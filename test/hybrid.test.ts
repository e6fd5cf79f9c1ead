// Hybrid operation: which wallets TronScan still backfills, on a real DuckDB. Hand-worked: the follower took over
// wallets A and B after block 100 (time 1,000); A's four streams reached 1,000, B's did not start; then B leaves the
// config and C joins after block 200 (time 2,000).
import { describe, expect, it } from "vitest";
import { needingBackfill, recordCoverage } from "../src/warehouse/coverage.ts";
import { emptyBatch, ENDPOINTS, type Endpoint } from "../src/model/rows.ts";
import { closeAfterEach, memoryWarehouse } from "./helpers.ts";
import { stmt } from "./stmt.ts";

const A = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
const B = "TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa";
const C = "TWpqsYjAw7rFPmWeZcwKQanCS6Kk8f5dhT";

const cursor = (wallet: string, endpoint: Endpoint, syncedToMs: number | null) => ({
  wallet,
  endpoint,
  syncedToMs,
  walkTopMs: null,
  walkLowMs: null,
  walkFloorMs: null,
  newestMs: syncedToMs,
});

describe("hybrid: TronScan backfills a wallet up to where the block follower took over, then stops", () => {
  it("needs backfill until all four streams reach the follower's start; a wallet re-added is covered from then", async () => {
    const w = closeAfterEach(await memoryWarehouse());
    expect(await needingBackfill(w, [A, B])).toEqual([A, B]); // not covered yet
    expect(await recordCoverage(w, [A, B], { fromBlock: 101, fromMs: 1000 })).toBe(2);
    expect(await needingBackfill(w, [A, B])).toEqual([A, B]); // covered, nothing synced
    const cursors = ENDPOINTS.map((e) => cursor(A, e, e === "internal" ? 999 : 1000));
    await w.load({ batch: emptyBatch(), cursors, runId: "t" });
    expect(await needingBackfill(w, [A, B])).toEqual([A, B]); // A's internal stream stops 1 ms short
    await w.load({ batch: emptyBatch(), cursors: [cursor(A, "internal", 1000)], runId: "t" });
    expect(await needingBackfill(w, [A, B])).toEqual([B]);
    // a second record of the same set changes nothing
    expect(await recordCoverage(w, [A, B], { fromBlock: 150, fromMs: 1500 })).toBe(0);
    // B leaves, C joins after block 200: C needs its backfill up to 2,000; A keeps its record
    expect(await recordCoverage(w, [A, C], { fromBlock: 201, fromMs: 2000 })).toBe(1);
    const rows = await w.query<{ wallet: string; from_block: string; from_ms: string }>(
      stmt("SELECT wallet, from_block, from_ms FROM node_coverage ORDER BY from_block"),
    );
    expect(rows).toEqual([
      { wallet: A, from_block: "101", from_ms: "1000" },
      { wallet: C, from_block: "201", from_ms: "2000" },
    ]);
    expect(await needingBackfill(w, [A, C])).toEqual([C]);
    await w.load({ batch: emptyBatch(), cursors: ENDPOINTS.map((e) => cursor(C, e, 2500)), runId: "t" });
    expect(await needingBackfill(w, [A, C])).toEqual([]);
  });
});
