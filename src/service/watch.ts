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
import { createExclusive, type Exclusive } from "../pipeline/after-load.ts";
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

/** What the probes read: when the running cycle started, when the last one ended and whether it went well. */
type WatchState = { lastEndMs: number | null; lastOk: boolean | null; inCycleSince: number | null };

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
  const state: WatchState = { lastEndMs: null, lastOk: null, inCycleSince: null };
  const intervalGuessMs = Math.max(60_000, schedule.next(startMs) - startMs);
  const server =
    o.metricsPort === undefined ? null : await serveProbes(o, o.metricsPort, metrics, state, intervalGuessMs);
  // hybrid: the block follower runs its own loop; the schedule's cycles sync from TronScan only the wallets still
  // backfilling (and verify), and the steps after a load run one at a time whichever loop loaded
  const exclusive = createExclusive();
  const byNode = config.source.live === "node" && o.nodeClient !== undefined;
  const stopFollowing = new AbortController();
  const stop = () => stopFollowing.abort();
  signal.addEventListener("abort", stop, { once: true });
  const follower = byNode ? startFollower(o, metrics, exclusive, stopFollowing.signal) : null;
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
      cycle: (_started, n) => watchCycle(o, { client, metrics, exclusive, byNode, state }, n),
      idle: (untilMs) => betweenCycles(o, metrics, untilMs),
    });
    return { cycles };
  } finally {
    stop();
    signal.removeEventListener("abort", stop);
    await follower;
    if (server) await new Promise((r) => server.close(() => r(null)));
    logger.info({ msg: "Stopped watching", reason: signal.aborted ? "signal" : "done" });
  }
}

/** /metrics and the liveness and readiness probes. */
async function serveProbes(o: WatchOptions, port: number, metrics: Metrics, state: WatchState, intervalMs: number) {
  const { clock, signal } = o;
  const iso = (ms: number | null) => ms && new Date(ms).toISOString();
  const host = o.metricsHost ?? "127.0.0.1";
  const server = await serveMetrics({
    port,
    host,
    metrics,
    probe: {
      // alive unless a cycle has been running for more than 3 schedule intervals (stuck)
      live: () => ({
        ok: state.inCycleSince === null || clock.now() - state.inCycleSince < 3 * intervalMs,
        detail: { in_cycle_since: iso(state.inCycleSince), last_cycle_end: iso(state.lastEndMs) },
      }),
      ready: () => ({
        ok: state.lastEndMs !== null && !signal.aborted,
        detail: { last_cycle_ok: state.lastOk, last_cycle_end: iso(state.lastEndMs) },
      }),
    },
  });
  o.onListening?.(server);
  const url = `http://${host}:${(server.address() as { port: number }).port}/metrics`;
  o.logger.info({ msg: "Serving metrics", url });
  return server;
}

/** The block follower's own loop (source.live: node); its passes feed the metrics. */
function startFollower(o: WatchOptions, metrics: Metrics, exclusive: Exclusive, signal: AbortSignal) {
  const { config, warehouse, logger, clock } = o;
  return followLoop({
    config,
    warehouse,
    client: o.nodeClient!(metrics),
    logger,
    clock,
    signal,
    exclusive,
    onPass: (r) => {
      metrics.blockLag.set(r.follow.lagMs / 1000);
      metrics.blocks.inc({ lane: "solidified" }, r.follow.blocks);
      metrics.blocks.inc({ lane: "fast" }, r.follow.tip?.blocks ?? 0);
      metrics.rows.inc({ table: "transfers" }, r.follow.transfersNew);
    },
  }).catch((e) => logger.error({ msg: "The block follower stopped", error: (e as Error).message }));
}

/** One scheduled cycle; a failure is logged and the next slot tries again. */
async function watchCycle(
  o: WatchOptions,
  c: { client: TronscanClient; metrics: Metrics; exclusive: Exclusive; byNode: boolean; state: WatchState },
  n: number,
) {
  const { config, warehouse, logger, clock, signal } = o;
  const { state } = c;
  state.inCycleSince = clock.now();
  try {
    const every = config.verify.every_cycles;
    const addresses = config.wallets.map((w) => w.address);
    const r = await runCycle({
      config,
      warehouse,
      client: c.client,
      logger,
      command: "watch",
      signal,
      clockMs: () => clock.now(),
      verify: every > 0 && n % every === 0,
      exclusive: c.exclusive,
      syncWallets: c.byNode ? await needingBackfill(warehouse, addresses) : undefined,
    });
    if (r.summary.status === "interrupted") {
      logger.warn({ msg: "Cycle abandoned on signal: committed rows and cursors are kept", run_id: r.summary.runId });
      return;
    }
    c.metrics.observeCycle(r, await walletLags(warehouse, clock.now()));
    state.lastOk = r.summary.status === "success" && !r.postError;
  } catch (e) {
    state.lastOk = false; // the warehouse itself failed: logged, retried next slot
    logger.error({ msg: "Cycle failed", error: (e as Error).message });
  } finally {
    state.inCycleSince = null;
    state.lastEndMs = clock.now();
    o.onCycle?.(n);
  }
}

/** Between cycles: retry due notifications, then sleep until the next retry or the next cycle. */
async function betweenCycles(o: WatchOptions, metrics: Metrics, untilMs: number) {
  const { config, warehouse, logger, clock, signal } = o;
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
}
