// What a node's heads and blocks must be to be believed: readable headers, times after TRON's genesis and after the
// block before, not past the clock, and a head no further ahead of the last block we hold than the time between them
// allows (a block every 3 s at most). A hostile or broken node's bogus head would otherwise move coverage, the
// TronScan backfill and the lag to wherever it says.
import { blockHeader, type BlockHeader } from "../normalize/block.ts";
import { TRON_GENESIS_MS } from "../normalize/common.ts";
import { RecordError } from "../internal/errors.ts";
import { ChainError } from "../internal/errors.ts";
import type { BlockCursor } from "../warehouse/types.ts";

/** TRON produces a block every 3 s: no chain holds more blocks than this between two times. */
export const SLOT_MS = 3000;
/** A head is read this often before an unbelievable one is refused. */
const HEAD_ATTEMPTS = 3;

export type BlockClock = { nowMs: () => number; maxFutureMs: number };

/** A block's header, or a ChainError naming what is wrong with it. */
export function checkedHeader(block: unknown): BlockHeader {
  try {
    return blockHeader(block);
  } catch (e) {
    if (e instanceof RecordError) throw new ChainError(`the node answered a block that cannot be read: ${e.message}`);
    throw e;
  }
}

const iso = (ms: number) => (Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms));

/** What is wrong with a block's time after a block dated `prevMs` (null: none known), or null. */
export function timeProblem(h: BlockHeader, prevMs: number | null, clock: BlockClock): string | null {
  const now = clock.nowMs();
  if (!Number.isSafeInteger(h.timestampMs) || h.timestampMs < TRON_GENESIS_MS)
    return `block ${h.number} is dated ${iso(h.timestampMs)}, before TRON's first block (2018-06-25)`;
  if (h.timestampMs > now + clock.maxFutureMs)
    return `block ${h.number} is dated ${iso(h.timestampMs)}, ${Math.round((h.timestampMs - now) / 1000)} s past the clock`;
  if (prevMs !== null && h.timestampMs <= prevMs)
    return `block ${h.number} is dated ${iso(h.timestampMs)}, not after the block before it (${iso(prevMs)})`;
  return null;
}

/** What is wrong with a head given the last block we hold (null: none yet), or null. */
export function headProblem(h: BlockHeader, last: BlockCursor | null, clock: BlockClock): string | null {
  const time = timeProblem(h, null, clock);
  if (time || !last || h.number <= last.number) return time;
  if (h.timestampMs <= last.timestampMs)
    return `head ${h.number} is dated ${iso(h.timestampMs)}, not after our block ${last.number} (${iso(last.timestampMs)})`;
  const most = Math.floor((h.timestampMs - last.timestampMs) / SLOT_MS);
  if (h.number - last.number > most)
    return (
      `head ${h.number} is ${h.number - last.number} blocks after our block ${last.number}, more than the ` +
      `${most} that ${Math.round((h.timestampMs - last.timestampMs) / 1000)} s can hold`
    );
  return null;
}

/**
 * A head (`read` asks for it) that makes sense after `last`: read again when not, and refused (ChainError) when it
 * stays unbelievable after HEAD_ATTEMPTS answers. The answer is the whole block (getnowblock), kept with its header:
 * when it is the one block to follow next, it is not asked for again.
 */
export async function believableHead(
  read: () => Promise<unknown>,
  last: BlockCursor | null,
  clock: BlockClock,
  which: string,
): Promise<{ header: BlockHeader; block: unknown }> {
  let problem = "";
  for (let attempt = 0; attempt < HEAD_ATTEMPTS; attempt++) {
    let h: BlockHeader;
    let block: unknown;
    try {
      block = await read();
      h = checkedHeader(block);
    } catch (e) {
      if (!(e instanceof ChainError)) throw e;
      problem = e.message;
      continue;
    }
    const p = headProblem(h, last, clock);
    if (!p) return { header: h, block };
    problem = p;
  }
  throw new ChainError(
    `the node's ${which} head is not believable after ${HEAD_ATTEMPTS} answers: ${problem}; nothing was followed`,
  );
}
