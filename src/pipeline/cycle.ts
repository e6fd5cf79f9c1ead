// One full cycle, as `run` and every tick of `watch` do it: sync, evaluate rules, detect anomalies,
// check the monitor's own health, queue and deliver notifications. A failure after the sync is
// recorded and logged; it never undoes what was loaded.
import { createSyncDeps, syncAll, type RunSummary } from "./sync-all.ts";
import { verify } from "./verify.ts";
import { DAY_MS } from "../model/time.ts";
import { evaluateRules, type EvaluationSummary } from "../rules/evaluate.ts";
import { rulesFromConfig, saveRules } from "../rules/store.ts";
import { detectAnomalies, type DetectionSummary } from "../anomalies/detect.ts";
import { evaluateHealth, type HealthSummary } from "../health/checks.ts";
import { notify, type DeliveryCounts } from "../notify/outbox.ts";
import type { Config } from "../config/schema.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { TronscanClient } from "../source/tronscan/client.ts";
import type { Logger } from "../internal/logger.ts";
import type { Progress } from "./sync-endpoint.ts";

export type CycleResult = {
  summary: RunSummary;
  evaluation: EvaluationSummary | null;
  detection: DetectionSummary | null;
  health: HealthSummary | null;
  delivery: DeliveryCounts | null;
  verification: { checks: number; requests: number; missing: number; repaired: number; stillMissing: number } | null;
  /** What failed after the sync (rules, anomalies, health or notifications), if anything. */
  postError: string | null;
};

export async function runCycle(args: {
  config: Config;
  warehouse: Warehouse;
  client: TronscanClient;
  logger: Logger;
  command: string;
  signal?: AbortSignal;
  onProgress?: Progress;
  clockMs?: () => number;
  /**
   * Run the rolling verify (last verify.days days, repairing) before the health check: watch does every
   * verify.every_cycles cycles.
   */
  verify?: boolean;
  /** Only these wallets are synced from TronScan (hybrid operation: the ones still backfilling). */
  syncWallets?: readonly string[];
  /** Runs the steps after loading one at a time with another loop's (watch's block follower). */
  exclusive?: Exclusive;
}): Promise<CycleResult> {
  const { config, warehouse, logger } = args;
  const now = args.clockMs ?? Date.now;
  const startMs = now();
  const summary = await syncAll({ ...args, nowMs: startMs });
  const result: CycleResult = {
    summary,
    evaluation: null,
    detection: null,
    verification: null,
    health: null,
    delivery: null,
    postError: null,
  };
  if (summary.status === "interrupted") return result;
  const step = stepper(result, logger, summary.runId);
  const lock = args.exclusive ?? ((fn) => fn());
  await lock(async () => {
    result.evaluation = await step("rule evaluation", async () => {
      await saveRules(warehouse, rulesFromConfig(config));
      return evaluateRules({ warehouse, nowMs: now(), outDir: config.output.dir });
    });
    result.detection = await step("anomaly detection", () =>
      detectAnomalies({ warehouse, config, nowMs: now(), outDir: config.output.dir }),
    );
  });
  if (args.verify) {
    result.verification = await step("verify", async () => {
      const nowMs = now();
      const deps = await createSyncDeps({
        config,
        warehouse,
        client: args.client,
        runId: summary.runId,
        nowMs,
        signal: args.signal,
        logger,
      });
      const v = await verify({
        deps,
        wallets: config.wallets.map((w) => w.address),
        fromMs: nowMs - (config.verify.days - 1) * DAY_MS,
        toMs: nowMs,
        repair: true,
      });
      logger.info({
        msg: "Verified completeness",
        run_id: summary.runId,
        checks: v.days.length,
        requests: v.requests,
        missing: v.missing,
        repaired: v.repaired,
        still_missing: v.stillMissing,
      });
      return {
        checks: v.days.length,
        requests: v.requests,
        missing: v.missing,
        repaired: v.repaired,
        stillMissing: v.stillMissing,
      };
    });
  }
  await lock(async () => {
    result.health = await step("health check", () => evaluateHealth(warehouse, config, now()));
    result.delivery = await step("notification", () => notify(warehouse, config, now(), startMs, logger));
  });
  const found = result.detection ? Object.values(result.detection.found).reduce((a, b) => a + b, 0) : 0;
  const t = summary.totals;
  logger.info({
    msg: "Cycle summary",
    run_id: summary.runId,
    status: summary.status,
    duration: summary.durationMs,
    requests: t.requests,
    retries: t.retries,
    throttled: t.throttled,
    new_transactions: t.transactionsNew,
    new_transfers: t.transfersNew,
    updated: t.updated,
    quarantined: t.quarantined,
    alerts_opened: result.evaluation?.opened ?? 0,
    alerts_resolved: result.evaluation?.resolved ?? 0,
    anomalies: found,
    health_alerts_opened: result.health?.opened ?? 0,
    notifications_delivered: result.delivery?.delivered ?? 0,
    notifications_failed: (result.delivery?.failed ?? 0) + (result.delivery?.gaveUp ?? 0),
    errors: summary.errors.length,
    post_error: result.postError,
  });
  return result;
}

export type Exclusive = <T>(fn: () => Promise<T>) => Promise<T>;

/** One at a time: what `exclusive` is made of. */
export function createExclusive(): Exclusive {
  let queue: Promise<unknown> = Promise.resolve();
  return (fn) => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };
}

type Steps = { postError: string | null };

/** A step after the load: its failure is logged and collected in `into.postError`, never thrown. */
export function stepper(into: Steps, logger: Logger, runId: string) {
  return async <T>(name: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch (e) {
      const error = `${name}: ${(e as Error).message}`;
      into.postError = into.postError ? `${into.postError}; ${error}` : error;
      logger.error({ msg: `Failed ${name}`, run_id: runId, error: (e as Error).message });
      return null;
    }
  };
}
