// Emulator-shaped pages for benchmarks: the same record shapes the emulator serves, 50 per page,
// generated in chunks so a million transfers never sit in memory at once.
import { History } from "../src/emulator/history.ts";
import { type Tx } from "../src/emulator/chain.ts";
import { addressFrom } from "../src/emulator/random.ts";
import { toJson, trc20Record, transactionRecord, transferRecord } from "../src/emulator/render.ts";
import type { Endpoint } from "../src/model/rows.ts";

export type Page = { endpoint: Endpoint; text: string; transfers: number };

export function* pageChunks(args: {
  wallets: number;
  transfers: number;
  chunkPages: number;
  seed?: number;
}): Generator<Page[]> {
  const wallets = Array.from({ length: args.wallets }, () => ({ perHour: 30 }));
  const start = Date.parse("2026-01-01T00:00:00Z");
  // Real addresses for the wallets come from the history's own generator.
  const history = new History({
    seed: args.seed ?? 99,
    startMs: start,
    wallets: wallets.map((w, i) => ({ address: addressFrom(`bench-wallet-${i}`), perHour: w.perHour })),
    retain: false,
  });
  const ours = new Set(history.opts.wallets.map((w) => w.address));
  const open: Record<Endpoint, unknown[]> = { transaction: [], transfer: [], trc20: [], internal: [] };
  const openTransfers: Record<Endpoint, number> = { transaction: 0, transfer: 0, trc20: 0, internal: 0 };
  let produced = 0;
  let chunk: Page[] = [];
  let t = start;
  const emit = (ep: Endpoint) => {
    const body =
      ep === "trc20"
        ? { total: 10000, rangeTotal: 123456, token_transfers: open[ep] }
        : { total: 10000, rangeTotal: 123456, data: open[ep] };
    chunk.push({ endpoint: ep, text: toJson(body), transfers: openTransfers[ep] });
    produced += openTransfers[ep];
    open[ep] = [];
    openTransfers[ep] = 0;
  };
  while (produced < args.transfers) {
    t += 3_600_000;
    const txs: Tx[] = history.extendTo(t);
    for (const tx of txs) {
      // listed by /api/transaction when the signer is one of ours; by the transfer endpoints per movement
      if (ours.has(tx.owner)) {
        open.transaction.push(transactionRecord(tx, true));
        openTransfers.transaction +=
          tx.contractType === 1 || tx.contractType === 2 || tx.call?.method === "transfer" ? 1 : 0;
        if (open.transaction.length === 50) emit("transaction");
      }
      for (const m of tx.moves) {
        const ep: Endpoint | null = m.via === "native" ? "transfer" : m.via === "event" ? "trc20" : null;
        if (!ep) continue;
        open[ep].push(ep === "trc20" ? trc20Record(tx, m, true, {}) : transferRecord(tx, m, true, {}));
        openTransfers[ep]++;
        if (open[ep].length === 50) emit(ep);
      }
      if (chunk.length >= args.chunkPages) {
        yield chunk;
        chunk = [];
        if (produced >= args.transfers) return;
      }
    }
  }
  if (chunk.length) yield chunk;
}
