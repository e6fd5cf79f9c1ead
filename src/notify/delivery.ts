// The outbox: each event is queued once per sink in the warehouse, then delivered with retries and
// backoff. Queueing reads committed alerts and anomalies, so a crash between evaluation and delivery
// delivers on restart; a row is marked delivered only after its sink said yes (at least once; the
// event id is the idempotency key). Sinks deliver in parallel and a failing sink stops for this round
// at its first failure, so one dead sink costs one timeout and never blocks the others.
import type { Config } from "../config/schema.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { Logger } from "../internal/logger.ts";
import { digests, eventsSince, wants, type NotifyEvent } from "./events.ts";
import { durationMs } from "../config/schema.ts";
import { scrubUrls } from "../internal/scrub.ts";
import { send, type Sink } from "./sinks.ts";
import { DAY_MS, HOUR_MS } from "../model/time.ts";
import { dueRows, nextDueMs as nextDue, queueEvents, recordAttempts, sinkState } from "../warehouse/outbox.ts";

/** Each scan starts this far before the last one: an event committed late is still queued (its key dedupes). */
const RESCAN_MS = DAY_MS;
const MAX_DELAY_MS = HOUR_MS;

export type DeliveryCounts = { queued: number; delivered: number; failed: number; gaveUp: number };

/** Queues, per sink, the events it wants; a new sink gets what happened from `sinceMs` on (the cycle's start). */
export async function enqueue(w: Warehouse, config: Config, nowMs: number, sinceMs = nowMs): Promise<number> {
  const sinks = config.notify.sinks.filter((s) => s.enabled);
  if (!sinks.length) return 0;
  let queued = 0;
  // a sink is told about what happens from the moment it is first configured, not the whole past
  const states = new Map<string, { since: number; scanned: number }>();
  for (const sink of sinks) states.set(sink.name, await sinkState(w, sink.name, sinceMs));
  const fromOf = (name: string) => Math.max(states.get(name)!.since, states.get(name)!.scanned - RESCAN_MS);
  // read once for every sink, from the earliest point any of them needs
  const all = await eventsSince(w, Math.min(...sinks.map((x) => fromOf(x.name))));
  const oldest = nowMs - config.notify.max_age_hours * HOUR_MS; // a backfill's old findings go to exports, not to chat
  for (const sink of sinks) {
    const state = states.get(sink.name)!;
    const from = fromOf(sink.name);
    const events = all.filter(
      (e) =>
        e.occurredMs >= from &&
        e.occurredMs >= state.since &&
        (e.subjectMs ?? e.occurredMs) >= oldest &&
        wants(sink, e),
    );
    // a digest sink gets its info-level anomalies batched, one message per ended period
    const batched = (e: NotifyEvent) => sink.digest !== null && e.kind === "anomaly" && e.severity === "info";
    const single = events.filter((e) => !batched(e));
    const digest =
      sink.digest === null ? [] : digests(sink.name, events.filter(batched), durationMs(sink.digest), nowMs);
    const queue = [...single, ...digest].map((e) => ({ ...e, payload: e }));
    queued += await queueEvents(w, sink.name, queue, nowMs, Math.max(nowMs, state.scanned));
  }
  return queued;
}

/** Delivers what is due now, every sink in parallel. */
export async function deliverDue(
  w: Warehouse,
  config: Config,
  nowMs: number,
  logger?: Logger,
): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { queued: 0, delivered: 0, failed: 0, gaveUp: 0 };
  const sinks = config.notify.sinks.filter((s) => s.enabled);
  const due = sinks.length ? await dueRows(w, nowMs) : [];
  const results: { sink: string; eventId: string; ok: boolean; attempts: number; error?: string }[] = [];
  await Promise.all(
    sinks.map(async (sink: Sink) => {
      for (const row of due.filter((r) => r.sink === sink.name)) {
        const e = JSON.parse(
          typeof row.payload === "string" ? row.payload : JSON.stringify(row.payload),
        ) as NotifyEvent;
        try {
          await send(sink, e, { timeoutMs: config.notify.timeout_ms });
          results.push({ sink: sink.name, eventId: row.event_id, ok: true, attempts: Number(row.attempts) + 1 });
        } catch (err) {
          const error = scrubUrls((err as Error).message);
          results.push({
            sink: sink.name,
            eventId: row.event_id,
            ok: false,
            attempts: Number(row.attempts) + 1,
            error,
          });
          logger?.warn({
            msg: "Failed notification",
            sink: sink.name,
            event_id: row.event_id,
            attempt: Number(row.attempts) + 1,
            error,
          });
          break; // the rest of this sink waits for the next round
        }
      }
    }),
  );
  if (!results.length) return counts;
  const attempts = results.map((r) => {
    const gaveUp = !r.ok && r.attempts >= config.notify.max_attempts;
    if (r.ok) counts.delivered++;
    else if (gaveUp) counts.gaveUp++;
    else counts.failed++;
    const delay = Math.min(MAX_DELAY_MS, config.notify.retry_base_delay_ms * 2 ** (r.attempts - 1));
    return { ...r, gaveUp, retryAtMs: nowMs + delay };
  });
  await recordAttempts(w, attempts, nowMs);
  logger?.info({ msg: "Delivered notifications", ...counts });
  return counts;
}

/** When the next retry is due (null: nothing pending). */
export const nextDueMs = (w: Warehouse, config: Config): Promise<number | null> =>
  nextDue(
    w,
    config.notify.sinks.filter((s) => s.enabled).map((s) => s.name),
  );

export async function notify(
  w: Warehouse,
  config: Config,
  nowMs: number,
  cycleStartMs: number,
  logger?: Logger,
): Promise<DeliveryCounts> {
  const queued = await enqueue(w, config, nowMs, cycleStartMs);
  const counts = await deliverDue(w, config, nowMs, logger);
  return { ...counts, queued };
}
