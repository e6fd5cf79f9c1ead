// watch with source.live: node — the block follower's own loop beside the 10-minute schedule: every poll_seconds it
// follows the chain (and the fast lane when on), and when a pass loaded or dropped rows it runs rules, anomalies,
// health and notifications at once, so an alert leaves seconds after its block is followed. A pass that fails is
// logged and recorded (once per failure streak) and tried again after a growing pause; committed blocks stay.
import { followAndAlert, followArgs, type PassResult, recordFollowFailure } from "../pipeline/follow-run.ts";
import { scrubUrls } from "../internal/scrub.ts";
import { newRunId } from "../pipeline/outputs.ts";
import type { Exclusive } from "../pipeline/after-load.ts";
import type { NodeClient } from "../source/node/client.ts";
import type { Config } from "../config/schema.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { Logger } from "../internal/logger.ts";
import type { Clock } from "./schedule.ts";

export async function followLoop(o: {
  config: Config;
  warehouse: Warehouse;
  client: NodeClient;
  logger: Logger;
  clock: Clock;
  signal: AbortSignal;
  exclusive: Exclusive;
  /** Stop after this many passes (tests). */
  maxPasses?: number;
  onPass?: (r: PassResult) => void;
}): Promise<number> {
  const { config, warehouse, logger, clock, signal } = o;
  const watched = new Set(config.wallets.map((w) => w.address));
  const pollMs = config.node.poll_seconds * 1000;
  let passes = 0;
  let failures = 0;
  let misses = 0;
  logger.info({
    msg: "Following blocks",
    node: scrubUrls(config.node.base_url),
    every_seconds: config.node.poll_seconds,
    fast_lane: config.node.fast_lane,
    wallets: watched.size,
  });
  while (!signal.aborted && (o.maxPasses === undefined || passes < o.maxPasses)) {
    passes++;
    const t0 = clock.now();
    const runId = newRunId(t0);
    try {
      // no start is kept between passes: before the first block loads, each pass starts from the config or the head
      const r = await followAndAlert({
        follow: {
          ...followArgs(config, o.client, warehouse, watched, runId, () => clock.now(), logger),
          maxBlocks: config.node.max_blocks_per_pass,
          signal,
          fastLane: config.node.fast_lane,
        },
        config,
        logger,
        startedAtMs: t0,
        exclusive: o.exclusive,
        onlyWhenRows: true,
      });
      if (failures) logger.info({ msg: "Following blocks again", after_failures: failures });
      failures = 0;
      o.onPass?.(r);
      // behind the head: the next pass at once; caught up: the next pass when the next block is due
      if (r.follow.lagBlocks > 0) continue;
      const fresh = r.follow.blocks + (r.follow.tip?.blocks ?? 0) > 0;
      misses = fresh ? 0 : misses + 1;
      await clock.sleep(untilNext(r.follow.head.timestampMs, clock.now(), pollMs, misses), signal);
    } catch (e) {
      if (signal.aborted) break;
      failures++;
      logger.error({ msg: "Failed to follow blocks", error: (e as Error).message, failures });
      if (failures === 1) await recordFollowFailure(warehouse, runId, t0, clock.now(), e);
      await clock.sleep(Math.min(60_000, pollMs * 2 ** Math.min(failures, 5)), signal);
    }
  }
  return passes;
}

/** A block is produced at its slot's start (its timestamp) and reaches the node within a fraction of a second. */
const AFTER_SLOT_MS = 500;
/** A pass that found no new block looks again this soon, twice per slot at most (a clock skewed against the node's). */
const RECHECK_MS = 700;

/**
 * How long to wait for the next pass: passes run AFTER_SLOT_MS after each poll interval on the chain's slot grid
 * (block times are multiples of 3 s), so a block is followed about half a second after it is produced, with one
 * request per block; a pass that found nothing new looks again shortly (at most twice) before waiting for the next slot.
 */
export function untilNext(headTimeMs: number, nowMs: number, pollMs: number, misses: number): number {
  const since = nowMs - headTimeMs - AFTER_SLOT_MS;
  const next = headTimeMs + AFTER_SLOT_MS + pollMs * (Math.floor(since / pollMs) + 1);
  const wait = Math.max(0, next - nowMs);
  return misses > 0 && misses <= 2 ? Math.min(RECHECK_MS, wait) : wait;
}
