// `tronmon follow --rewind-to N`: the way out of a fork or a reorg below the solidified head. The node's own block N
// becomes the cursor, the fast lane's tip is forgotten, and every stored row above block N is marked unconfirmed, in
// one transaction: following again confirms the rows the canonical blocks hold (same ids) and drops the others.
import { ChainError } from "../internal/errors.ts";
import type { NodeClient } from "../source/node/client.ts";
import { rewindBlockCursor } from "../warehouse/blocks.ts";
import { NODE_SOURCE, type Warehouse } from "../warehouse/types.ts";
import { checkedHeader } from "./block-checks.ts";

export async function rewindTo(
  client: NodeClient,
  w: Warehouse,
  n: number,
): Promise<{ number: number; timestampMs: number; rows: number }> {
  const cursor = await w.getBlockCursor(NODE_SOURCE);
  if (cursor && n > cursor.number)
    throw new ChainError(`--rewind-to ${n} is past the block cursor (${cursor.number}): nothing to rewind`);
  const [block] = await client.blocks(n, n + 1);
  if (block === undefined) throw new ChainError(`--rewind-to ${n}: the node does not hold block ${n}`);
  const h = checkedHeader(block);
  if (h.number !== n) throw new ChainError(`--rewind-to ${n}: the node answered block ${h.number}`);
  const rows = await rewindBlockCursor(w, {
    source: NODE_SOURCE,
    number: h.number,
    blockId: h.id,
    timestampMs: h.timestampMs,
  });
  return { number: h.number, timestampMs: h.timestampMs, rows };
}
