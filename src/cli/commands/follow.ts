// `tronmon follow`: follows the chain from a node (config `node:`) up to the solidified head, loading the watched
// wallets' movements with the block cursor; prints how far it got and how far behind the head it is.
import { createNodeClientFor, loadContext, openWarehouse, type GlobalOptions } from "../context.ts";
import { followBlocks, followCounts, NODE_SOURCE } from "../../pipeline/follow-blocks.ts";
import { newRunId } from "../../pipeline/outputs.ts";
import { blockHeader } from "../../normalize/block.ts";
import { UsageError } from "../../internal/errors.ts";

export type FollowOptions = GlobalOptions & { blocks?: string; nodeUrl?: string; json?: boolean };

export async function followCommand(opts: FollowOptions): Promise<number> {
  const max = opts.blocks === undefined ? undefined : Number(opts.blocks);
  if (max !== undefined && !(Number.isInteger(max) && max > 0))
    throw new UsageError(`follow: --blocks ${JSON.stringify(opts.blocks)} must be a positive whole number`);
  const { config, logger } = loadContext(opts);
  if (opts.nodeUrl) config.node.base_url = opts.nodeUrl;
  const client = createNodeClientFor(config, logger);
  const warehouse = await openWarehouse(config);
  const startedAtMs = Date.now();
  const runId = newRunId(startedAtMs);
  try {
    await warehouse.setWallets(config.wallets.map((w) => ({ address: w.address, label: w.label })));
    // a first run without start_block starts at the solidified head: history comes from TronScan
    let start = config.node.start_block;
    if (start === null && !(await warehouse.getBlockCursor(NODE_SOURCE)))
      start = blockHeader(await client.solidifiedHead()).number;
    const r = await followBlocks({
      client,
      warehouse,
      watched: new Set(config.wallets.map((w) => w.address)),
      startBlock: start ?? 0,
      maxBlocks: max ?? config.node.max_blocks_per_run,
      concurrency: config.node.concurrency,
      runId,
      nowMs: Date.now,
    });
    const counts = followCounts(r);
    await warehouse.recordRun({
      runId,
      command: "follow",
      startedAtMs,
      endedAtMs: Date.now(),
      status: "success",
      counts,
    });
    logger.info({ msg: "Followed blocks", ...counts });
    if (opts.json) console.log(JSON.stringify(counts));
    else
      console.log(
        `followed ${r.blocks.toLocaleString("en-US")} blocks to ${r.cursor?.number ?? "-"}` +
          `${r.cursor ? ` (${new Date(r.cursor.timestampMs).toISOString()})` : ""}; solidified head ${r.head.number}: ` +
          `${r.lagBlocks.toLocaleString("en-US")} blocks (${counts.lag_seconds} s) behind; ` +
          `${r.transfersNew} new transfers; ${r.requests} requests`,
      );
    return 0;
  } catch (e) {
    await warehouse
      .recordRun({ runId, command: "follow", startedAtMs, endedAtMs: Date.now(), status: "failed", error: String(e) })
      .catch(() => undefined);
    throw e;
  } finally {
    await warehouse.close();
  }
}
