// Hybrid operation (source.live: node): the block follower covers each watched wallet from the first block it loaded
// for it; everything up to the block before comes from TronScan per wallet (backfill). A wallet's TronScan streams run
// until all four have synced past that time, and after that only for verify. The statements: warehouse/coverage.ts.
import { walletsNeedingBackfill, writeCoverage } from "../warehouse/coverage.ts";
import type { Coverage, Warehouse } from "../warehouse/types.ts";

/** Records coverage outside a load (tests; the follower records it inside the load of its first range). */
export function recordCoverage(
  w: Warehouse,
  wallets: readonly string[],
  at: { fromBlock: number; fromMs: number },
): Promise<number> {
  const c: Coverage = { wallets, ...at };
  return w.transaction((q) => writeCoverage((s, p) => q(s, p), w.dialect, c));
}

/** The wallets TronScan still has to backfill (warehouse/coverage.ts). */
export function needingBackfill(w: Warehouse, wallets: readonly string[]): Promise<string[]> {
  return walletsNeedingBackfill((s, p) => w.query(s, p), wallets);
}
