// Following the chain from a node: every block from the cursor up to the solidified head, in order, exactly once.
// Coverage is proved as it goes: block numbers are consecutive from the cursor, and each block's parent is the
// block before it (the cursor's id for the first). A range answer with a gap is re-asked block by block; a
// parent that does not match is an error, never a skip. Heads and block times must be believable (checks.ts).
// Each range's rows are loaded with the cursor of its last block in one transaction (and, the first time, the
// coverage of the watched wallets), so a crash re-follows at most one range and duplicates nothing (ids are stable).
// The cost does not depend on how many wallets are watched: one call per 100 blocks, one per block with contract
// calls (their transaction infos hold the Transfer events and internal transactions).
import { normalizeBlock, type BlockHeader } from "../normalize/block.ts";
import { blacklistEvents } from "../normalize/blacklist.ts";
import { appendBatch, emptyBatch, type NormalizedBatch, type TransferRow } from "../model/rows.ts";
import { scaled } from "../normalize/common.ts";
import { TokenCache } from "./token-cache.ts";
import { nodeAssetMetadata, nodeTokenMetadata } from "../source/node/token-metadata.ts";
import type { Logger } from "../internal/logger.ts";
import { MAX_BLOCKS_PER_CALL, type NodeClient } from "../source/node/client.ts";
import pLimit from "p-limit";
import { ChainError, ConfigError } from "../internal/errors.ts";
import { believableHead, checkedHeader, timeProblem } from "./block-checks.ts";
import {
  type BlockCursor,
  type BlockRange,
  type Coverage,
  NODE_SOURCE,
  TIP_SOURCE,
  type Warehouse,
} from "../warehouse/types.ts";

/** Per warehouse, the watched sets whose coverage is recorded (once: a set does not change while a process follows). */
const covered = new WeakMap<Warehouse, WeakSet<ReadonlySet<string>>>();

export type FollowResult = {
  /** Blocks processed this call. */
  blocks: number;
  /** The solidified head when asked, and how far the cursor is behind it afterwards. */
  head: BlockHeader;
  cursor: BlockCursor | null;
  lagBlocks: number;
  lagMs: number;
  transfersNew: number;
  transactionsNew: number;
  /** Unconfirmed rows dropped because their block was replaced. */
  dropped: number;
  /** The fast lane's pass, when it ran. */
  tip: TipResult | null;
  requests: number;
};

/** The ids of a block's contract calls: the transactions whose infos hold events and internal transactions. */
const contractCalls = (block: unknown): string[] => {
  const txs = (block as { transactions?: unknown[] }).transactions;
  if (!Array.isArray(txs)) return [];
  return txs
    .filter((t) => {
      const c = (t as { raw_data?: { contract?: { type?: string }[] } }).raw_data?.contract?.[0]?.type;
      return c === "TriggerSmartContract" || c === "CreateSmartContract";
    })
    .map((t) => String((t as { txID?: unknown }).txID ?? "").toLowerCase());
};

/** Infos asked at most this often for one block before a block whose infos stay incomplete is an error. */
const INFO_ATTEMPTS = 3;
/** The pause before asking a block's infos again, times the attempt. */
const INFO_RETRY_MS = 300;

/**
 * A block's transaction infos, complete: every contract call of the block must have its info (a node answers one per
 * transaction); an answer lacking some (cut short, or from a node still indexing the block) is asked again, and one
 * still incomplete after INFO_ATTEMPTS is a ChainError — events are never silently missed.
 */
async function completeInfos(
  args: Args,
  block: unknown,
  calls: string[],
  first: Promise<unknown[]>,
): Promise<unknown[]> {
  let infos = await first;
  for (let attempt = 1; ; attempt++) {
    const have = new Set(infos.map((i) => String((i as { id?: unknown } | null)?.id ?? "").toLowerCase()));
    const missing = calls.filter((id) => !have.has(id));
    if (!missing.length) return infos;
    const n = checkedHeader(block).number;
    if (attempt >= INFO_ATTEMPTS)
      throw new ChainError(
        `block ${n}: the node's transaction infos lack ${missing.length} of its ${calls.length} contract calls ` +
          `(${missing[0]}${missing.length > 1 ? ", ..." : ""}) after ${attempt} answers; nothing of this range was loaded`,
      );
    // a load-balanced API's next node may still be indexing the block: give it a moment before asking again
    await new Promise((r) => setTimeout(r, INFO_RETRY_MS * attempt));
    infos = await args.client.transactionInfos(n, args.signal);
  }
}

type Args = {
  client: NodeClient;
  warehouse: Warehouse;
  watched: ReadonlySet<string>;
  /** Where to start before the first block (null: at the solidified head; history then comes from TronScan). */
  startBlock: number | null;
  /** How far past the clock a block may be dated (default 60 s). */
  maxFutureMs?: number;
  maxBlocks?: number;
  runId: string;
  nowMs: () => number;
  logger?: Logger;
  signal?: AbortSignal;
  /** Also process the blocks past the solidified head, as unconfirmed (the fast lane). */
  fastLane?: boolean;
  /** Transaction-info requests in flight at once (default 4). */
  concurrency?: number;
  /** Keep Tether's USDT blacklist changes of every address (risk.tether_freezes; default true). */
  tetherFreezes?: boolean;
};

/**
 * Follows from the stored cursor (or from `startBlock` before the first block) up to the solidified head, at most
 * `maxBlocks` blocks; then, with `fastLane`, the newer blocks up to the head as unconfirmed. Watched addresses are
 * base58. A `startBlock` past the head is a ConfigError; a head or block that is not believable, a ChainError.
 */
export async function followBlocks(args: Args): Promise<FollowResult> {
  const { client, warehouse: w } = args;
  const before = client.stats.requests;
  let cursor = await w.getBlockCursor(NODE_SOURCE);
  const answer = await believableHead(() => client.solidifiedHead(args.signal), cursor, clockOf(args), "solidified");
  const head = answer.header;
  let next = cursor ? cursor.number + 1 : (args.startBlock ?? head.number);
  if (!cursor && next > head.number)
    throw new ConfigError("the configuration", [
      `node.start_block: ${next} is past the node's solidified head ${head.number} ` +
        `(${new Date(head.timestampMs).toISOString()}); set a block at or below it, or leave it empty to start at the head`,
    ]);
  let blocks = 0;
  let transfersNew = 0;
  let transactionsNew = 0;
  let dropped = 0;
  const budget = args.maxBlocks ?? Number.POSITIVE_INFINITY;
  while (next <= head.number && blocks < budget) {
    if (cursor && tipHolds(w, cursor, head)) {
      // the fast lane already loaded this very block (the head's id is our tip's): confirmed without fetching it
      cursor = await confirmFromTip(args, head, coverageFor(args, cursor));
      blocks++;
      next = head.number + 1;
      break;
    }
    const end = Math.min(next + MAX_BLOCKS_PER_CALL, head.number + 1, next + (budget - blocks));
    const got = await blocksFrom(args, next, end, cursor, answer);
    const { last, counts } = await loadBlocks(args, got.blocks, cursor, NODE_SOURCE, true, coverageFor(args, cursor));
    transfersNew += counts.transfersNew;
    transactionsNew += counts.transactionsNew;
    dropped += counts.dropped;
    blocks += got.blocks.length;
    cursor = last;
    next = end;
    if (!got.complete) break; // the rest next pass
  }
  if (cursor) forgetTip(w, Number.NEGATIVE_INFINITY, cursor.number); // solidified: the tip's record of them is done
  const result: FollowResult = {
    blocks,
    head,
    cursor,
    lagBlocks: Math.max(0, head.number - (cursor?.number ?? next - 1)),
    lagMs: cursor ? Math.max(0, head.timestampMs - cursor.timestampMs) : 0,
    transfersNew,
    transactionsNew,
    dropped,
    tip: null,
    requests: 0,
  };
  if (args.fastLane && cursor && cursor.number >= head.number) {
    const tip = await followTip(args, cursor);
    result.tip = tip;
    result.transfersNew += tip.transfersNew;
    result.dropped += tip.dropped;
  }
  result.requests = client.stats.requests - before;
  return result;
}

/** The clock block times are checked against: never earlier than the real one, a virtual clock may run ahead. */
const clockOf = (args: Args) => ({
  nowMs: () => Math.max(Date.now(), args.nowMs()),
  maxFutureMs: args.maxFutureMs ?? 60_000,
});

/**
 * The coverage the first solidified range of this process records for the watched set, in its own load: from the
 * first block loaded, TronScan backfilling up to the block before it (warehouse/coverage.ts). Null once recorded.
 */
function coverageFor(args: Args, prev: BlockCursor | null): ((first: BlockHeader) => Coverage) | null {
  if (covered.get(args.warehouse)?.has(args.watched)) return null;
  return (first) => ({
    wallets: [...args.watched],
    fromBlock: first.number,
    fromMs: prev?.timestampMs ?? first.timestampMs - 1,
  });
}

function markCovered(args: Args) {
  const recorded = covered.get(args.warehouse) ?? new WeakSet<ReadonlySet<string>>();
  covered.set(args.warehouse, recorded);
  recorded.add(args.watched);
}

export type TipResult = {
  /** The head block's number, the last unconfirmed block processed, blocks processed, replaced tips seen. */
  head: number;
  cursor: number;
  blocks: number;
  reorgs: number;
  transfersNew: number;
  dropped: number;
};

/**
 * The fast lane: blocks past the solidified cursor up to the node's head, loaded unconfirmed with their own cursor
 * (TIP_SOURCE). A first block whose parent is not the tip we hold means the tip was replaced: the whole unsolidified
 * stretch is read again from the solidified cursor, and its rows the new blocks no longer hold are dropped. When the
 * solidified follower reaches those blocks their rows are confirmed (same ids) or dropped (blockRange).
 */
async function followTip(args: Args, solid: BlockCursor): Promise<TipResult> {
  const { client, warehouse: w } = args;
  const newest = await believableHead(() => client.head(args.signal), solid, clockOf(args), "newest");
  const top = newest.header;
  const out: TipResult = { head: top.number, cursor: solid.number, blocks: 0, reorgs: 0, transfersNew: 0, dropped: 0 };
  let tip = await w.getBlockCursor(TIP_SOURCE);
  if (!tip || tip.number <= solid.number) tip = solid;
  // a head at or below our tip that is not our block: the tip was replaced
  if (tip !== solid && top.number <= tip.number && !(top.number === tip.number && top.id === tip.blockId)) {
    out.reorgs++;
    tip = solid;
    forgetTip(w, solid.number);
  }
  for (let attempt = 0; tip.number < top.number && attempt < 3; attempt++) {
    let prev = tip;
    try {
      for (let next = tip.number + 1; next <= top.number; ) {
        const end = Math.min(next + MAX_BLOCKS_PER_CALL, top.number + 1);
        const got = await blocksFrom(args, next, end, prev, newest);
        const { last, counts } = await loadBlocks(args, got.blocks, prev, TIP_SOURCE, false, null);
        out.transfersNew += counts.transfersNew;
        out.dropped += counts.dropped;
        out.blocks += got.blocks.length;
        prev = last;
        next = end;
        if (!got.complete) break;
      }
      out.cursor = prev.number;
      return out;
    } catch (e) {
      if (!(e instanceof ChainError)) throw e;
      // the unsolidified chain moved under us: read it again from the solidified cursor
      out.reorgs++;
      out.cursor = prev.number;
      tip = solid;
      forgetTip(w, solid.number);
    }
  }
  out.cursor = tip.number;
  return out;
}

/** Blocks in order after `prev`, normalized and loaded with the cursor of the last one and their range. */
async function loadBlocks(
  args: Args,
  blocks: unknown[],
  prev: BlockCursor | null,
  source: string,
  confirmed: boolean,
  coverage: ((first: BlockHeader) => Coverage) | null,
) {
  const part = await processBlocks(args, blocks, prev, source, confirmed);
  if (source === TIP_SOURCE) rememberTip(args.warehouse, part.headers);
  const counts = await args.warehouse.load({
    batch: part.batch,
    blockCursor: part.cursor,
    blockRange: part.range,
    coverage: coverage?.(part.first) ?? undefined,
    runId: args.runId,
  });
  if (coverage) markCovered(args);
  // rows loaded earlier while a token's metadata could not be had are completed now that it is known
  if (part.batch.tokens.some((t) => t.decimals !== null)) await args.warehouse.rescaleTransfers();
  return { last: part.cursor, counts };
}

/** What a run of the follower records and prints. */
export function followCounts(r: FollowResult): Record<string, number | null> {
  return {
    blocks: r.blocks,
    cursor: r.cursor?.number ?? null,
    head: r.head.number,
    lag_blocks: r.lagBlocks,
    lag_seconds: Math.round(r.lagMs / 1000),
    tip: r.tip?.cursor ?? null,
    reorgs: r.tip?.reorgs ?? 0,
    new_transfers: r.transfersNew,
    dropped: r.dropped,
    requests: r.requests,
  };
}

/** Per warehouse, the token metadata the follower knows (the tokens table, then what the node told it). */
const tokenCaches = new WeakMap<Warehouse, TokenCache>();
async function tokenCacheOf(args: Args): Promise<TokenCache> {
  let cache = tokenCaches.get(args.warehouse);
  if (!cache) tokenCaches.set(args.warehouse, (cache = new TokenCache(await args.warehouse.tokens())));
  return cache;
}

/**
 * Tokens first seen in these blocks get name, symbol and decimals from the node's constant calls; their rows are
 * completed in the batch (amounts scaled exactly) and the token rows loaded with them. A node that cannot say leaves
 * the rows with their raw amounts; the next range that meets the token asks again.
 */
async function completeTokens(args: Args, tokens: TokenCache, batch: NormalizedBatch) {
  const lacking = (t: TransferRow) =>
    t.assetType === "trc721" ? t.tokenSymbol === null && t.tokenName === null : t.tokenDecimals === null;
  const kinds = new Map(
    batch.transfers.filter((t) => t.assetType !== "trx" && lacking(t)).map((t) => [t.tokenId, t.assetType]),
  );
  if (!kinds.size) return;
  const found = await tokens.fillWith(
    kinds.keys(),
    async (c) =>
      kinds.get(c) === "trc10"
        ? nodeAssetMetadata(args.client, c, args.signal)
        : { ...(await nodeTokenMetadata(args.client, c, args.signal)), assetType: kinds.get(c) ?? "trc20" },
    (c, e) => args.logger?.warn({ msg: "No token metadata from the node yet", token: c, error: e.message }),
  );
  const byId = new Map(found.map((t) => [t.tokenId, t]));
  for (const [i, t] of batch.transfers.entries()) {
    const meta = byId.get(t.tokenId);
    if (!meta || !lacking(t)) continue;
    const named = { ...t, tokenSymbol: meta.symbol, tokenName: meta.name };
    if (t.assetType === "trc721")
      batch.transfers[i] = named; // one token moved: amount 1, decimals 0 already
    else if (meta.decimals !== null)
      batch.transfers[i] = {
        ...named,
        tokenDecimals: meta.decimals,
        amount: scaled(BigInt(t.amountRaw), meta.decimals),
      };
  }
  batch.tokens.push(...found);
}

/** Blocks in order after `prev`: parent chain checked, transaction infos fetched where needed, normalized. */
async function processBlocks(
  args: Args,
  blocks: unknown[],
  prev: BlockCursor | null,
  source: string,
  confirmed: boolean,
): Promise<{
  batch: NormalizedBatch;
  cursor: BlockCursor;
  range: BlockRange;
  first: BlockHeader;
  headers: BlockHeader[];
}> {
  const batch: NormalizedBatch = emptyBatch();
  let last = prev;
  let first: BlockHeader | null = null;
  // the infos of the range are asked a few at a time ahead of use (the rate limit still holds); used in block order
  const limit = pLimit(args.concurrency ?? 4);
  const callsOf = blocks.map(contractCalls);
  const infosOf = blocks.map((block, i) => {
    if (!callsOf[i].length) return Promise.resolve([] as unknown[]);
    const p = limit(() => args.client.transactionInfos(checkedHeader(block).number, args.signal));
    p.catch(() => undefined); // awaited below, in order; a failure before then must not go unhandled
    return p;
  });
  const tokens = await tokenCacheOf(args);
  const headers: BlockHeader[] = [];
  for (const [i, block] of blocks.entries()) {
    const h = checkedHeader(block);
    headers.push(h);
    first ??= h;
    if (last && last.number === h.number - 1 && last.blockId !== h.parentHash)
      throw new ChainError(
        `block ${h.number}'s parent ${h.parentHash} is not block ${last.number} (${last.blockId}): the node's chain ` +
          "does not continue ours; nothing of this range was loaded",
      );
    const infos = callsOf[i].length ? await completeInfos(args, block, callsOf[i], infosOf[i]) : [];
    const part = normalizeBlock(block, infos, {
      watched: args.watched,
      observedAtMs: args.nowMs(),
      confirmed,
      tokens: tokens.lookup,
    });
    appendBatch(batch, part);
    // Tether's freezes, of every address: solidified blocks only (the fast lane's are seen again once solidified)
    if (confirmed && infos.length && args.tetherFreezes !== false) {
      const b = blacklistEvents(infos, h);
      if (b.events.length) (batch.blacklist ??= []).push(...b.events);
      batch.skipped += b.unread;
    }
    last = { source, number: h.number, blockId: h.id, timestampMs: h.timestampMs };
  }
  if (!first || !last) throw new RangeError("processBlocks: no blocks");
  await completeTokens(args, tokens, batch);
  const range = { from: first.number, to: last.number, fromMs: first.timestampMs, toMs: last.timestampMs };
  return { batch, cursor: last, range, first, headers };
}

/** Blocks [from, to): the head answer itself when it is the one block to follow next, else asked for (rangeInOrder). */
function blocksFrom(
  args: Args,
  from: number,
  to: number,
  prev: BlockCursor | null,
  head: { header: BlockHeader; block: unknown },
): Promise<{ blocks: unknown[]; complete: boolean }> {
  const h = head.header;
  if (to - from === 1 && h.number === from && prev?.number === from - 1 && h.parentHash === prev.blockId)
    return Promise.resolve({ blocks: [head.block], complete: true });
  return rangeInOrder(args, from, to, prev);
}

/** Per warehouse, the unsolidified blocks the fast lane loaded last at each height: id, parent and time. */
const tipChains = new WeakMap<Warehouse, Map<number, BlockHeader>>();
function rememberTip(w: Warehouse, headers: BlockHeader[]) {
  const chain = tipChains.get(w) ?? new Map<number, BlockHeader>();
  tipChains.set(w, chain);
  for (const h of headers) chain.set(h.number, h);
}
/** Forgets the remembered blocks in (from, to]: a replaced tip (above the solidified cursor), or solidified ones. */
function forgetTip(w: Warehouse, from: number, to = Number.POSITIVE_INFINITY) {
  const chain = tipChains.get(w);
  if (chain) for (const n of [...chain.keys()]) if (n > from && n <= to) chain.delete(n);
}

/**
 * Whether the fast lane's last load of the block after `cursor` is the solidified head itself: the same id, and the
 * same parent as the head and as our cursor. A block id commits to its contents and its parent, so those rows are the
 * solidified block's rows. One block at a time (a follower caught up solidifies one block per pass); several are
 * fetched as usual.
 */
function tipHolds(w: Warehouse, cursor: BlockCursor, head: BlockHeader): boolean {
  const b = tipChains.get(w)?.get(head.number);
  return (
    head.number === cursor.number + 1 &&
    b?.id === head.id &&
    b.parentHash === cursor.blockId &&
    head.parentHash === cursor.blockId
  );
}

/** The solidified cursor moved to `head` and the fast lane's rows of that block confirmed, in one load. */
async function confirmFromTip(
  args: Args,
  head: BlockHeader,
  coverage: ((first: BlockHeader) => Coverage) | null,
): Promise<BlockCursor> {
  const next: BlockCursor = {
    source: NODE_SOURCE,
    number: head.number,
    blockId: head.id,
    timestampMs: head.timestampMs,
  };
  await args.warehouse.load({
    batch: emptyBatch(),
    blockCursor: next,
    confirmRange: { from: head.number, to: head.number, fromMs: head.timestampMs, toMs: head.timestampMs },
    coverage: coverage?.(head) ?? undefined,
    runId: args.runId,
  });
  if (coverage) markCovered(args);
  return next;
}

/**
 * Blocks [from, to) in order, every number once, each dated after the one before (`prev` for the first) and not in
 * the future. What an answer lacks is asked again: a hole (blocks after it came) block by block, a short answer
 * (nothing after the last block it gave) as a range from there; a block that cannot be read or is not believable is
 * asked alone once more, then refused (ChainError). A block still missing when asked alone (a load-balanced API whose
 * next node is behind) ends the range: the blocks before it are returned and the caller stops this pass; missing the
 * first block is a ChainError (nothing to follow yet).
 */
async function rangeInOrder(
  args: Args,
  from: number,
  to: number,
  prev: BlockCursor | null,
): Promise<{ blocks: unknown[]; complete: boolean }> {
  const { client, signal } = args;
  const byNumber = new Map<number, unknown>();
  let maxHeld = -1;
  const add = (list: unknown[]) => {
    for (const b of list) {
      let n: number;
      try {
        n = checkedHeader(b).number;
      } catch {
        continue; // unreadable: asked alone below, and refused if it stays so
      }
      if (n >= from && n < to && !byNumber.has(n)) {
        byNumber.set(n, b);
        maxHeld = Math.max(maxHeld, n);
      }
    }
  };
  add(await client.blocks(from, to, signal));
  const out: unknown[] = [];
  let prevMs = prev?.timestampMs ?? null;
  for (let n = from; n < to; n++) {
    if (!byNumber.has(n)) {
      const short = maxHeld < n;
      add(await client.blocks(n, short ? to : n + 1, signal));
      if (short && !byNumber.has(n)) add(await client.blocks(n, n + 1, signal));
    }
    let b = byNumber.get(n);
    if (b === undefined) {
      if (!out.length)
        throw new ChainError(`block ${n} is missing from the node's answers (asked twice): nothing past it was loaded`);
      return { blocks: out, complete: false };
    }
    const problem = timeProblem(checkedHeader(b), prevMs, clockOf(args));
    if (problem) {
      b = (await client.blocks(n, n + 1, signal))[0];
      const again = b === undefined ? problem : timeProblem(checkedHeader(b), prevMs, clockOf(args));
      if (again) throw new ChainError(`${again} (asked twice): nothing of this range was loaded`);
    }
    prevMs = checkedHeader(b).timestampMs;
    out.push(b);
  }
  return { blocks: out, complete: true };
}
