// `tronmon watch`: the full cycle on a schedule, notifications retried between cycles, metrics and
// probes served, a clean stop on SIGINT/SIGTERM (the current cycle is abandoned at its next step;
// everything committed stays and the next start resumes from the cursors).
import type { Server } from "node:http";
import { runCycle } from "../pipeline/cycle.ts";
import { walletLags } from "../health/reads.ts";
import { deliverDue, nextDueMs } from "../notify/delivery.ts";
import { scheduleFrom, scheduleLoop, type Clock } from "./schedule.ts";
import { createMetrics, serveMetrics, type Metrics } from "./prometheus.ts";
import type { Config } from "../config/schema.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { TronscanClient } from "../source/tronscan/client.ts";
import type { Logger } from "../internal/logger.ts";
import type { NodeClient } from "../source/node/client.ts";
import { createExclusive } from "../pipeline/after-load.ts";
import { needingBackfill } from "../warehouse/coverage.ts";
import { followLoop } from "./follow-loop.ts";

export type WatchOptions = {
  config: Config;
  warehouse: Warehouse;
  logger: Logger;
  clock: Clock;
  signal: AbortSignal;
  client: (metrics: Metrics) => TronscanClient;
  /** With source.live: node, the node client the block follower uses. */
  nodeClient?: (metrics: Metrics) => NodeClient;
  metricsPort?: number;
  metricsHost?: string;
  maxCycles?: number;
  onCycle?: (n: number) => void;
  onListening?: (server: Server) => void;
};

/** A labelled query slower than this is logged with its label. */
const SLOW_QUERY_MS = 10_000;

export async function watch(o: WatchOptions): Promise<{ cycles: number }> {
  const { config, warehouse, logger, clock, signal } = o;
  const metrics = createMetrics();
  warehouse.onQuery((label, ms, ok) => {
    metrics.queries.observe({ query: label, result: ok ? "ok" : "error" }, ms / 1000);
    if (ms > SLOW_QUERY_MS) logger.warn({ msg: "Slow warehouse query", query: label, ms: Math.round(ms) });
  });
  const client = o.client(metrics);
  const startMs = clock.now();
  const schedule = scheduleFrom(config.schedule, startMs);
  let lastEndMs: number | null = null;
  let lastOk: boolean | null = null;
  let inCycleSince: number | null = null;
  const intervalGuessMs = Math.max(60_000, schedule.next(startMs) - startMs);
  let server: Server | null = null;
  if (o.metricsPort !== undefined) {
    server = await serveMetrics({
      port: o.metricsPort,
      host: o.metricsHost ?? "127.0.0.1",
      metrics,
      probe: {
        // alive unless a cycle has been running for more than 3 schedule intervals (stuck)
        live: () => ({
          ok: inCycleSince === null || clock.now() - inCycleSince < 3 * intervalGuessMs,
          detail: {
            in_cycle_since: inCycleSince && new Date(inCycleSince).toISOString(),
            last_cycle_end: lastEndMs && new Date(lastEndMs).toISOString(),
          },
        }),
        ready: () => ({
          ok: lastEndMs !== null && !signal.aborted,
          detail: { last_cycle_ok: lastOk, last_cycle_end: lastEndMs && new Date(lastEndMs).toISOString() },
        }),
      },
    });
    o.onListening?.(server);
    logger.info({
      msg: "Serving metrics",
      url: `http://${o.metricsHost ?? "127.0.0.1"}:${(server.address() as { port: number }).port}/metrics`,
    });
  }
  // hybrid: the block follower runs its own loop; the schedule's cycles sync from TronScan only the wallets still
  // backfilling (and verify), and the steps after a load run one at a time whichever loop loaded
  const exclusive = createExclusive();
  const byNode = config.source.live === "node" && o.nodeClient !== undefined;
  const stopFollowing = new AbortController();
  const stop = () => stopFollowing.abort();
  signal.addEventListener("abort", stop, { once: true });
  const follower = byNode
    ? followLoop({
        config,
        warehouse,
        client: o.nodeClient!(metrics),
        logger,
        clock,
        signal: stopFollowing.signal,
        exclusive,
        onPass: (r) => {
          metrics.blockLag.set(r.follow.lagMs / 1000);
          metrics.blocks.inc({ lane: "solidified" }, r.follow.blocks);
          metrics.blocks.inc({ lane: "fast" }, r.follow.tip?.blocks ?? 0);
          metrics.rows.inc({ table: "transfers" }, r.follow.transfersNew);
        },
      }).catch((e) => logger.error({ msg: "The block follower stopped", error: (e as Error).message }))
    : null;
  logger.info({
    msg: "Watching",
    schedule: schedule.describe,
    wallets: config.wallets.length,
    sinks: config.notify.sinks.filter((s) => s.enabled).map((s) => s.name),
  });
  try {
    const cycles = await scheduleLoop({
      schedule,
      clock,
      signal,
      logger,
      maxCycles: o.maxCycles,
      cycle: async (_started, n) => {
        inCycleSince = clock.now();
        try {
          const every = config.verify.every_cycles;
          const r = await runCycle({
            config,
            warehouse,
            client,
            logger,
            command: "watch",
            signal,
            clockMs: () => clock.now(),
            verify: every > 0 && n % every === 0,
            exclusive,
            syncWallets: byNode
              ? await needingBackfill(
                  warehouse,
                  config.wallets.map((w) => w.address),
                )
              : undefined,
          });
          if (r.summary.status === "interrupted") {
            logger.warn({
              msg: "Cycle abandoned on signal: committed rows and cursors are kept",
              run_id: r.summary.runId,
            });
            return;
          }
          metrics.observeCycle(r, await walletLags(warehouse, clock.now()));
          lastOk = r.summary.status === "success" && !r.postError;
        } catch (e) {
          lastOk = false; // the warehouse itself failed: logged, retried next slot
          logger.error({ msg: "Cycle failed", error: (e as Error).message });
        } finally {
          inCycleSince = null;
          lastEndMs = clock.now();
          o.onCycle?.(n);
        }
      },
      // between cycles: retry due notifications, then sleep until the next retry or the next cycle
      idle: async (untilMs) => {
        const due = await nextDueMs(warehouse, config).catch(() => null);
        if (due !== null && due <= clock.now()) {
          const c = await deliverDue(warehouse, config, clock.now(), logger).catch((e) => {
            logger.error({ msg: "Failed notification round", error: (e as Error).message });
            return null;
          });
          if (c) {
            metrics.notifications.inc({ result: "delivered" }, c.delivered);
            metrics.notifications.inc({ result: "failed" }, c.failed + c.gaveUp);
          }
          if (c && c.delivered + c.failed + c.gaveUp > 0) return;
        }
        const wake = due !== null && due > clock.now() ? Math.min(due, untilMs) : untilMs;
        await clock.sleep(wake - clock.now(), signal);
      },
    });
    return { cycles };
  } finally {
    stop();
    signal.removeEventListener("abort", stop);
    await follower;
    if (server) await new Promise((r) => server!.close(() => r(null)));
    logger.info({ msg: "Stopped watching", reason: signal.aborted ? "signal" : "done" });
  }
}
