// watch with source.live: node — the block follower's own loop beside the 10-minute schedule: every poll_seconds it
// follows the chain (and the fast lane when on), and when a pass loaded or dropped rows it runs rules, anomalies,
// health and notifications at once, so an alert leaves seconds after its block is followed. A pass that fails is
// logged and recorded (once per failure streak) and tried again after a growing pause; committed blocks stay.
import { followBlocks, followCounts, NODE_SOURCE, type FollowResult } from "../pipeline/follow-blocks.ts";
import { newRunId } from "../pipeline/outputs.ts";
import { stepper, type Exclusive } from "../pipeline/cycle.ts";
import { blockHeader } from "../normalize/block.ts";
import { saveRules, rulesFromConfig } from "../rules/store.ts";
import { evaluateRules } from "../rules/evaluate.ts";
import { detectAnomalies } from "../anomalies/detect.ts";
import { retractDropped } from "../anomalies/store.ts";
import { evaluateHealth } from "../health/checks.ts";
import { notify } from "../notify/outbox.ts";
import type { NodeClient } from "../source/node/client.ts";
import type { Config } from "../config/schema.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { Logger } from "../internal/logger.ts";
import type { Clock } from "./schedule.ts";

export type PassResult = { follow: FollowResult; anomalies: number; delivered: number; postError: string | null };

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
  let start = config.node.start_block;
  let passes = 0;
  let failures = 0;
  let misses = 0;
  logger.info({
    msg: "Following blocks",
    node: config.node.base_url,
    every_seconds: config.node.poll_seconds,
    fast_lane: config.node.fast_lane,
    wallets: watched.size,
  });
  while (!signal.aborted && (o.maxPasses === undefined || passes < o.maxPasses)) {
    passes++;
    const t0 = clock.now();
    const runId = newRunId(t0);
    try {
      if (start === null && !(await warehouse.getBlockCursor(NODE_SOURCE)))
        start = blockHeader(await o.client.solidifiedHead(signal)).number;
      const follow = await followBlocks({
        client: o.client,
        warehouse,
        watched,
        startBlock: start ?? 0,
        maxBlocks: config.node.max_blocks_per_pass,
        runId,
        nowMs: () => clock.now(),
        signal,
        fastLane: config.node.fast_lane,
        concurrency: config.node.concurrency,
      });
      const r: PassResult = { follow, anomalies: 0, delivered: 0, postError: null };
      if (follow.transfersNew + follow.dropped > 0) await afterRows(o, r, runId, t0);
      if (failures) logger.info({ msg: "Following blocks again", after_failures: failures });
      failures = 0;
      o.onPass?.(r);
      // behind the head: the next pass at once; caught up: the next pass when the next block is due
      if (follow.lagBlocks > 0) continue;
      const fresh = follow.blocks + (follow.tip?.blocks ?? 0) > 0;
      misses = fresh ? 0 : misses + 1;
      await clock.sleep(untilNext(follow.head.timestampMs, clock.now(), pollMs, misses), signal);
    } catch (e) {
      if (signal.aborted) break;
      failures++;
      logger.error({ msg: "Failed to follow blocks", error: (e as Error).message, failures });
      if (failures === 1)
        await warehouse
          .recordRun({
            runId,
            command: "follow",
            startedAtMs: t0,
            endedAtMs: clock.now(),
            status: "failed",
            error: String(e),
          })
          .catch(() => undefined);
      await clock.sleep(Math.min(60_000, pollMs * 2 ** Math.min(failures, 5)), signal);
      continue;
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

/** Rules, anomalies, health and notifications on what a pass loaded; the run is recorded with its counts. */
async function afterRows(
  o: { config: Config; warehouse: Warehouse; logger: Logger; clock: Clock; exclusive: Exclusive },
  r: PassResult,
  runId: string,
  startedAtMs: number,
): Promise<void> {
  const { config, warehouse, logger, clock } = o;
  const step = stepper(r, logger, runId);
  const nowMs = () => clock.now();
  await o.exclusive(async () => {
    await step("rule evaluation", async () => {
      await saveRules(warehouse, rulesFromConfig(config));
      return evaluateRules({ warehouse, nowMs: nowMs(), outDir: config.output.dir });
    });
    const d = await step("anomaly detection", () =>
      detectAnomalies({ warehouse, config, nowMs: nowMs(), outDir: config.output.dir }),
    );
    if (r.follow.dropped > 0)
      await step("retracting findings on dropped rows", () => retractDropped(warehouse, nowMs()));
    r.anomalies = d ? Object.values(d.found).reduce((a, b) => a + b, 0) : 0;
    await step("health check", () => evaluateHealth(warehouse, config, nowMs()));
    const sent = await step("notification", () => notify(warehouse, config, nowMs(), startedAtMs, logger));
    r.delivered = sent?.delivered ?? 0;
  });
  const counts = { ...followCounts(r.follow), anomalies: r.anomalies, notifications_delivered: r.delivered };
  await warehouse.recordRun({
    runId,
    command: "follow",
    startedAtMs,
    endedAtMs: clock.now(),
    status: "success",
    error: r.postError,
    counts,
  });
  logger.info({ msg: "Followed blocks", run_id: runId, ...counts, post_error: r.postError });
}
