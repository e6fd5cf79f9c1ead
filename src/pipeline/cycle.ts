// One full cycle, as `run` and every tick of `watch` do it: sync, then the steps after a load (after-load.ts:
// rules, anomalies, the rolling verify when asked, health, notifications). A failure after the sync is recorded
// and logged; it never undoes what was loaded.
import { createSyncDeps, syncAll, type RunSummary } from "./sync-all.ts";
import { historyStartMs, verify, verifyBudget } from "./verify.ts";
import { DAY_MS } from "../model/time.ts";
import type { EvaluationSummary } from "../rules/evaluate.ts";
import type { DetectionSummary } from "../anomalies/detect.ts";
import type { HealthSummary } from "../health/checks.ts";
import type { DeliveryCounts } from "../notify/delivery.ts";
import { afterLoad, type Exclusive, findingsOf, stepper } from "./after-load.ts";
import type { Config } from "../config/schema.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { TronscanClient } from "../source/tronscan/client.ts";
import type { Logger } from "../internal/logger.ts";
import type { Progress } from "./walk-types.ts";

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
  const verifyStep = async (step: ReturnType<typeof stepper>) => {
    result.verification = await step("verify", () => rollingVerify(args, summary.runId, now()));
  };
  const after = await afterLoad({
    config,
    warehouse,
    logger,
    runId: summary.runId,
    startedAtMs: startMs,
    nowMs: now,
    exclusive: args.exclusive,
    between: args.verify ? verifyStep : undefined,
  });
  Object.assign(result, {
    evaluation: after.evaluation,
    detection: after.detection,
    health: after.health,
    delivery: after.delivery,
    postError: after.postError,
  });
  const found = findingsOf(result.detection);
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

/** The rolling verify of the last verify.days days, repairing what it finds missing. */
async function rollingVerify(
  args: { config: Config; warehouse: Warehouse; client: TronscanClient; logger: Logger; signal?: AbortSignal },
  runId: string,
  nowMs: number,
): Promise<NonNullable<CycleResult["verification"]>> {
  const { config, warehouse, logger } = args;
  const deps = await createSyncDeps({
    config,
    warehouse,
    client: args.client,
    runId,
    nowMs,
    signal: args.signal,
    logger,
  });
  const v = await verify({
    deps,
    wallets: config.wallets.map((w) => w.address),
    fromMs: historyStartMs(config),
    recheckFromMs: nowMs - (config.verify.days - 1) * DAY_MS,
    toMs: nowMs,
    repair: true,
    budget: verifyBudget(config),
  });
  logger.info({
    msg: "Verified completeness",
    run_id: runId,
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
}
