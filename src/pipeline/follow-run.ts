// One run of the block follower as `tronmon follow` and watch's follower loop make it: follow, then the steps after a
// load (after-load.ts: rules, anomalies, dropped findings, health, notifications), recorded in the run log.
import { followBlocks, followCounts, type FollowResult } from "./follow-blocks.ts";
import { afterLoad, type Exclusive, findingsOf } from "./after-load.ts";
import type { Config } from "../config/schema.ts";
import type { NodeClient } from "../source/node/client.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { Logger } from "../internal/logger.ts";

export type PassResult = { follow: FollowResult; anomalies: number; delivered: number; postError: string | null };
type FollowArgs = Parameters<typeof followBlocks>[0];

/** The follower's arguments from the config (`node:`): start, concurrency, clock tolerance. */
export function followArgs(
  config: Config,
  client: NodeClient,
  warehouse: Warehouse,
  watched: ReadonlySet<string>,
  runId: string,
  nowMs: () => number,
  logger?: Logger,
): FollowArgs {
  return {
    logger,
    client,
    warehouse,
    watched,
    startBlock: config.node.start_block,
    tetherFreezes: config.risk.tether_freezes,
    concurrency: config.node.concurrency,
    maxFutureMs: config.node.max_future_seconds * 1000,
    runId,
    nowMs,
  };
}

/**
 * Follows, then runs the steps after a load and records the run (`onlyWhenRows`: only when the pass loaded or dropped
 * rows — watch's loop, every 3 s). A failure to follow is thrown; `tronmon follow` records it and still checks health.
 */
export async function followAndAlert(o: {
  follow: FollowArgs;
  config: Config;
  logger: Logger;
  startedAtMs: number;
  exclusive?: Exclusive;
  onlyWhenRows?: boolean;
}): Promise<PassResult> {
  const follow = await followBlocks(o.follow);
  const r: PassResult = { follow, anomalies: 0, delivered: 0, postError: null };
  if (o.onlyWhenRows && follow.transfersNew + follow.transactionsNew + follow.dropped === 0) return r;
  const after = await afterLoad({
    config: o.config,
    warehouse: o.follow.warehouse,
    logger: o.logger,
    runId: o.follow.runId,
    startedAtMs: o.startedAtMs,
    nowMs: o.follow.nowMs,
    exclusive: o.exclusive,
  });
  r.anomalies = findingsOf(after.detection);
  r.delivered = after.delivery?.delivered ?? 0;
  r.postError = after.postError;
  const counts = { ...followCounts(follow), anomalies: r.anomalies, notifications_delivered: r.delivered };
  await o.follow.warehouse.recordRun({
    runId: o.follow.runId,
    command: "follow",
    startedAtMs: o.startedAtMs,
    endedAtMs: o.follow.nowMs(),
    status: "success",
    error: r.postError,
    counts,
  });
  o.logger.info({ msg: "Followed blocks", run_id: o.follow.runId, ...counts, post_error: r.postError });
  return r;
}

/** A failed run of the follower, in the run log (the health check's failure streak counts it). */
export async function recordFollowFailure(
  w: Warehouse,
  runId: string,
  startedAtMs: number,
  endedAtMs: number,
  e: unknown,
): Promise<void> {
  await w
    .recordRun({ runId, command: "follow", startedAtMs, endedAtMs, status: "failed", error: String(e) })
    .catch(() => undefined);
}
