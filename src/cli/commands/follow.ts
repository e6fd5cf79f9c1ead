// `tronmon follow`: follows the chain from a node (config `node:`) up to the solidified head, loading the watched
// wallets' movements with the block cursor, then runs rules, anomalies, health and notifications as watch does (cron
// use alerts too); prints how far it got and how far behind the head it is. `--rewind-to N` is the way out of a fork.
import { createNodeClientFor, loadContext, openWarehouse, type GlobalOptions } from "../context.ts";
import { followCounts } from "../../pipeline/follow-blocks.ts";
import { followAndAlert, followArgs, recordFollowFailure } from "../../pipeline/follow-run.ts";
import { afterLoad } from "../../pipeline/after-load.ts";
import { rewindTo } from "../../pipeline/rewind.ts";
import { newRunId } from "../../pipeline/outputs.ts";
import { UsageError } from "../../internal/errors.ts";
import { nodeSchema } from "../../config/schema.ts";

export type FollowOptions = GlobalOptions & { blocks?: string; nodeUrl?: string; json?: boolean; rewindTo?: string };

/** A whole positive number as typed: digits only (no 1e3, 0x10, spaces or signs). */
export function wholeNumber(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < min)
    throw new UsageError(`follow: ${flag} ${JSON.stringify(v)} must be a ${min > 0 ? "positive " : ""}whole number`);
  return Number(v);
}

export async function followCommand(opts: FollowOptions): Promise<number> {
  const max = wholeNumber("--blocks", opts.blocks, 1);
  const rewind = wholeNumber("--rewind-to", opts.rewindTo, 0);
  const { config, logger } = loadContext(opts);
  if (opts.nodeUrl) {
    // the same rules as node.base_url (http/https, no credentials, no query)
    const url = nodeSchema.shape.base_url.safeParse(opts.nodeUrl);
    if (!url.success) throw new UsageError(`follow: --node-url: ${url.error.issues.map((i) => i.message).join("; ")}`);
    config.node.base_url = url.data;
  }
  const client = createNodeClientFor(config, logger);
  const warehouse = await openWarehouse(config);
  const startedAtMs = Date.now();
  const runId = newRunId(startedAtMs);
  try {
    await warehouse.setWallets(config.wallets.map((w) => ({ address: w.address, label: w.label })));
    if (rewind !== undefined) {
      const r = await rewindTo(client, warehouse, rewind);
      console.log(
        `rewound the block cursor to ${r.number} (${new Date(r.timestampMs).toISOString()}); ` +
          `${r.rows.toLocaleString("en-US")} stored rows above it marked unconfirmed until they are followed again`,
      );
      logger.warn({ msg: "Rewound the block cursor", to: r.number, rows: r.rows });
    }
    const watched = new Set(config.wallets.map((w) => w.address));
    const r = await followAndAlert({
      follow: {
        ...followArgs(config, client, warehouse, watched, runId, Date.now, logger),
        maxBlocks: max ?? config.node.max_blocks_per_run,
      },
      config,
      logger,
      startedAtMs,
    });
    const counts = followCounts(r.follow);
    if (opts.json) console.log(JSON.stringify({ ...counts, anomalies: r.anomalies }));
    else console.log(summary(r.follow, counts.lag_seconds, r.anomalies));
    return 0;
  } catch (e) {
    await recordFollowFailure(warehouse, runId, startedAtMs, Date.now(), e);
    // a follower that cannot follow still checks the monitor's health (its lag alert) and notifies
    await afterLoad({ config, warehouse, logger, runId, startedAtMs, nowMs: Date.now }).catch(() => undefined);
    throw e;
  } finally {
    await warehouse.close();
  }
}

function summary(r: Awaited<ReturnType<typeof followAndAlert>>["follow"], lagSeconds: number | null, found: number) {
  return (
    `followed ${r.blocks.toLocaleString("en-US")} blocks to ${r.cursor?.number ?? "-"}` +
    `${r.cursor ? ` (${new Date(r.cursor.timestampMs).toISOString()})` : ""}; solidified head ${r.head.number}: ` +
    `${r.lagBlocks.toLocaleString("en-US")} blocks (${lagSeconds} s) behind; ` +
    `${r.transfersNew} new transfers; ${found} findings; ${r.requests} requests`
  );
}
