// When cycles start: a fixed interval from the first start, or a cron expression in UTC (croner).
// The loop never runs two cycles at once: a cycle that overruns its slot makes the next one start as
// soon as it ends (once, not once per missed slot), and says so.
import { Cron } from "croner";
import { durationMs, type Config } from "../config/schema.ts";
import type { Logger } from "../internal/logger.ts";

export type Clock = { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> };

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const t = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(t);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

export type Schedule = { next(afterMs: number): number; describe: string };

export function scheduleFrom(s: Config["schedule"], startMs: number): Schedule {
  if (s.cron) {
    const cron = new Cron(s.cron, { timezone: "UTC", paused: true });
    return {
      describe: `cron "${s.cron}" (UTC)`,
      next: (after) => cron.nextRun(new Date(after))!.getTime(),
    };
  }
  const every = durationMs(s.every);
  return {
    describe: `every ${s.every}`,
    next: (after) => startMs + (Math.floor((after - startMs) / every) + 1) * every,
  };
}

/**
 * Runs `cycle` now and then at each slot until `signal` aborts (or `maxCycles` ran). Between cycles,
 * `idle(untilMs)` may do small work (delivering due notifications) and returns when it is done.
 */
export async function scheduleLoop(args: {
  schedule: Schedule;
  clock: Clock;
  signal: AbortSignal;
  logger: Logger;
  maxCycles?: number;
  cycle: (startedMs: number, n: number) => Promise<void>;
  idle?: (untilMs: number) => Promise<void>;
}): Promise<number> {
  const { schedule, clock, signal, logger } = args;
  let dueMs = clock.now();
  let n = 0;
  while (!signal.aborted && (args.maxCycles === undefined || n < args.maxCycles)) {
    const started = clock.now();
    n++;
    await args.cycle(started, n);
    if (signal.aborted || (args.maxCycles !== undefined && n >= args.maxCycles)) break;
    const now = clock.now();
    let next = schedule.next(dueMs);
    if (next <= now) {
      let missed = 0;
      while (schedule.next(next) <= now) {
        next = schedule.next(next);
        missed++;
      }
      logger.warn({
        msg: "Cycle overran its slot: the next one starts now",
        cycle: n,
        due_at: new Date(next).toISOString(),
        late_ms: now - next,
        slots_skipped: missed,
      });
      dueMs = now;
      continue;
    }
    dueMs = next;
    logger.debug({ msg: "Next cycle", at: new Date(next).toISOString() });
    while (!signal.aborted && clock.now() < next) {
      if (args.idle) await args.idle(next);
      else await clock.sleep(next - clock.now(), signal);
    }
  }
  return n;
}
