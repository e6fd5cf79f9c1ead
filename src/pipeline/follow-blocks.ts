// Following the chain from a node: every block from the cursor up to the solidified head, in order, exactly once.
// Coverage is proved as it goes: block numbers are consecutive from the cursor, and each block's parent is the
// block before it (the cursor's id for the first). A range answer with a gap is re-asked block by block; a
// parent that does not match is an error, never a skip. Each range's rows are loaded with the cursor of its
// last block in one transaction, so a crash re-follows at most one range and duplicates nothing (ids are stable).
// The cost does not depend on how many wallets are watched: one call per 100 blocks, one per block with contract
// calls (their transaction infos hold the Transfer events and internal transactions).
import { blockHeader, normalizeBlock, type BlockHeader } from "../normalize/block.ts";
import { emptyBatch, type NormalizedBatch } from "../model/rows.ts";
import { builtinTokens, type TokenLookup } from "../normalize/common.ts";
import { MAX_BLOCKS_PER_CALL, type NodeClient } from "../source/node/client.ts";
import type { BlockCursor, Warehouse } from "../warehouse/types.ts";

export const NODE_SOURCE = "node";

export class ChainError extends Error {
  override name = "ChainError";
}

export type FollowResult = {
  /** Blocks processed this call. */
  blocks: number;
  /** The solidified head when asked, and how far the cursor is behind it afterwards. */
  head: BlockHeader;
  cursor: BlockCursor | null;
  lagBlocks: number;
  lagMs: number;
  transfersNew: number;
  requests: number;
};

const hasContractCalls = (block: unknown): boolean => {
  const txs = (block as { transactions?: unknown[] }).transactions;
  return (
    Array.isArray(txs) &&
    txs.some((t) => {
      const c = (t as { raw_data?: { contract?: { type?: string }[] } }).raw_data?.contract?.[0]?.type;
      return c === "TriggerSmartContract" || c === "CreateSmartContract";
    })
  );
};

/**
 * Follows from the stored cursor (or from `startBlock` before the first block) up to the solidified head, at most
 * `maxBlocks` blocks. Watched addresses are base58.
 */
export async function followBlocks(args: {
  client: NodeClient;
  warehouse: Warehouse;
  watched: ReadonlySet<string>;
  startBlock: number;
  maxBlocks?: number;
  runId: string;
  nowMs: () => number;
  tokens?: TokenLookup;
  signal?: AbortSignal;
}): Promise<FollowResult> {
  const { client, warehouse: w } = args;
  const before = client.stats.requests;
  const head = blockHeader(await client.solidifiedHead(args.signal));
  let cursor = await w.getBlockCursor(NODE_SOURCE);
  let next = cursor ? cursor.number + 1 : args.startBlock;
  let blocks = 0;
  let transfersNew = 0;
  const budget = args.maxBlocks ?? Number.POSITIVE_INFINITY;
  while (next <= head.number && blocks < budget) {
    const end = Math.min(next + MAX_BLOCKS_PER_CALL, head.number + 1, next + (budget - blocks));
    const got = await rangeInOrder(client, next, end, args.signal);
    const batch: NormalizedBatch = emptyBatch();
    let last = cursor;
    for (const block of got) {
      const h = blockHeader(block);
      if (last && last.number === h.number - 1 && last.blockId !== h.parentHash)
        throw new ChainError(
          `block ${h.number}'s parent ${h.parentHash} is not block ${last.number} (${last.blockId}): the node's chain ` +
            "does not continue ours; nothing of this range was loaded",
        );
      const infos = hasContractCalls(block) ? await client.transactionInfos(h.number, args.signal) : [];
      const part = normalizeBlock(block, infos, {
        watched: args.watched,
        observedAtMs: args.nowMs(),
        confirmed: true,
        tokens: args.tokens ?? builtinTokens,
      });
      batch.transactions.push(...part.transactions);
      batch.transfers.push(...part.transfers);
      batch.quarantined.push(...part.quarantined);
      last = { source: NODE_SOURCE, number: h.number, blockId: h.id, timestampMs: h.timestampMs };
    }
    const counts = await w.load({ batch, blockCursor: last ?? undefined, runId: args.runId });
    transfersNew += counts.transfersNew;
    blocks += got.length;
    cursor = last;
    next = end;
  }
  const lagBlocks = head.number - (cursor?.number ?? args.startBlock - 1);
  return {
    blocks,
    head,
    cursor,
    lagBlocks,
    lagMs: cursor ? Math.max(0, head.timestampMs - cursor.timestampMs) : 0,
    transfersNew,
    requests: client.stats.requests - before,
  };
}

/** Blocks [from, to) in order, every number once: a range answer's gaps and strays are re-asked one block at a time. */
async function rangeInOrder(client: NodeClient, from: number, to: number, signal?: AbortSignal): Promise<unknown[]> {
  const byNumber = new Map<number, unknown>();
  for (const b of await client.blocks(from, to, signal)) {
    const n = blockHeader(b).number;
    if (n >= from && n < to && !byNumber.has(n)) byNumber.set(n, b);
  }
  const out: unknown[] = [];
  for (let n = from; n < to; n++) {
    let b = byNumber.get(n);
    if (b === undefined) {
      const [one] = await client.blocks(n, n + 1, signal);
      if (one === undefined || blockHeader(one).number !== n)
        throw new ChainError(`block ${n} is missing from the node's answers (asked twice): nothing past it was loaded`);
      b = one;
    }
    out.push(b);
  }
  return out;
}
