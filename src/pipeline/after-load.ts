// The steps after rows are loaded, the same whichever source loaded them (`run`, `follow`, watch's schedule and its
// block follower): evaluate rules, detect anomalies, retract findings on dropped transactions, (verify, when asked),
// check the monitor's own health, queue and deliver notifications. A failing step is logged and collected in
// `postError`; it never undoes what was loaded. Steps that write alerts and findings run one at a time across loops.
import { evaluateRules, type EvaluationSummary } from "../rules/evaluate.ts";
import { rulesFromConfig, saveRules } from "../rules/alert-store.ts";
import { detectAnomalies, type DetectionSummary } from "../anomalies/detect.ts";
import { retractDropped } from "../anomalies/anomaly-store.ts";
import { evaluateHealth, type HealthSummary } from "../health/checks.ts";
import { notify, type DeliveryCounts } from "../notify/delivery.ts";
import type { Config } from "../config/schema.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { Logger } from "../internal/logger.ts";
import { refreshRollup } from "../warehouse/activity/rollup.ts";
import { syncRiskLists } from "../risk/sync-lists.ts";
import { screenRisk } from "../risk/screen-risk.ts";

export type AfterLoadResult = {
  /** Days of activity the rollups rebuilt (warehouse/activity/rollup.ts). */
  rolledDays: number;
  evaluation: EvaluationSummary | null;
  detection: DetectionSummary | null;
  retracted: number;
  health: HealthSummary | null;
  delivery: DeliveryCounts | null;
  /** What failed (rules, anomalies, health or notifications), if anything. */
  postError: string | null;
};

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

/**
 * Rules, anomalies and dropped findings; then `between` (the cycle's verify), outside the lock; then health and
 * notifications. `startedAtMs`: when the run that loaded began (digests of an ended hour).
 */
export async function afterLoad(o: {
  config: Config;
  warehouse: Warehouse;
  logger: Logger;
  runId: string;
  startedAtMs: number;
  nowMs: () => number;
  exclusive?: Exclusive;
  between?: (step: ReturnType<typeof stepper>) => Promise<unknown>;
}): Promise<AfterLoadResult> {
  const { config, warehouse, logger, nowMs } = o;
  const r: AfterLoadResult = {
    rolledDays: 0,
    evaluation: null,
    detection: null,
    retracted: 0,
    health: null,
    delivery: null,
    postError: null,
  };
  const step = stepper(r, logger, o.runId);
  const lock = o.exclusive ?? ((fn) => fn());
  await lock(async () => {
    // rules and detectors read the watched wallets' activity from the rollups: rebuilt first for the days loaded
    r.rolledDays = (await step("activity rollup", () => refreshRollup(warehouse))) ?? 0;
    r.evaluation = await step("rule evaluation", async () => {
      await saveRules(warehouse, rulesFromConfig(config));
      return evaluateRules({ warehouse, nowMs: nowMs(), outDir: config.output.dir });
    });
    // a list read again (its refresh due, a file changed) is screened by the detection below
    await step("risk lists", () => syncRiskLists(warehouse, config, nowMs(), { logger }));
    // who is on the other side: its findings are counted and exported with the detectors'
    const screened = config.risk.screening
      ? await step("risk screening", () => screenRisk(warehouse, config, nowMs()))
      : null;
    r.detection = await step("anomaly detection", () =>
      detectAnomalies({ warehouse, config, nowMs: nowMs(), outDir: config.output.dir, screened: screened?.found }),
    );
    r.retracted = (await step("retracting findings on dropped rows", () => retractDropped(warehouse, nowMs()))) ?? 0;
  });
  if (o.between) await o.between(step);
  await lock(async () => {
    r.health = await step("health check", () => evaluateHealth(warehouse, config, nowMs()));
    r.delivery = await step("notification", () => notify(warehouse, config, nowMs(), o.startedAtMs, logger));
  });
  return r;
}

/** Findings of a detection, all types together. */
export const findingsOf = (d: DetectionSummary | null) => (d ? Object.values(d.found).reduce((a, b) => a + b, 0) : 0);
