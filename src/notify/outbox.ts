// The outbox: each event is queued once per sink in the warehouse, then delivered with retries and
// backoff. Queueing reads committed alerts and anomalies, so a crash between evaluation and delivery
// delivers on restart; a row is marked delivered only after its sink said yes (at least once; the
// event id is the idempotency key). Sinks deliver in parallel and a failing sink stops for this round
// at its first failure, so one dead sink costs one timeout and never blocks the others.
import type { Config } from "../config/schema.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { Logger } from "../internal/logger.ts";
import { eventsSince, wants, type NotifyEvent } from "./events.ts";
import { scrubUrls } from "../internal/scrub.ts";
import { send, type Sink } from "./sinks.ts";
import { DAY_MS } from "../model/time.ts";

/** Each scan starts this far before the last one: an event committed late is still queued (its key dedupes). */
const RESCAN_MS = DAY_MS;
const MAX_DELAY_MS = 3_600_000;
const OUTBOX_COLUMNS = [
  "sink",
  "event_id",
  "kind",
  "severity",
  "payload",
  "created_ms",
  "status",
  "attempts",
  "next_attempt_ms",
  "delivered_ms",
  "last_error",
];

export type DeliveryCounts = { queued: number; delivered: number; failed: number; gaveUp: number };

/** Queues, per sink, the events it wants; a new sink gets what happened from `sinceMs` on (the cycle's start). */
export async function enqueue(w: Warehouse, config: Config, nowMs: number, sinceMs = nowMs): Promise<number> {
  const sinks = config.notify.sinks.filter((s) => s.enabled);
  if (!sinks.length) return 0;
  let queued = 0;
  // a sink is told about what happens from the moment it is first configured, not the whole past
  const states = new Map<string, { since: number; scanned: number }>();
  for (const sink of sinks) {
    await w.query(w.dialect.insertMissingSql("notify_sinks", ["sink", "since_ms", "scanned_to_ms"], ["sink"], 1), [
      sink.name,
      sinceMs,
      sinceMs,
    ]);
    const [state] = await w.query<{ since_ms: string; scanned_to_ms: string }>(
      "SELECT since_ms, scanned_to_ms FROM notify_sinks WHERE sink = ?",
      [sink.name],
    );
    states.set(sink.name, { since: Number(state.since_ms), scanned: Number(state.scanned_to_ms) });
  }
  const fromOf = (name: string) => Math.max(states.get(name)!.since, states.get(name)!.scanned - RESCAN_MS);
  // read once for every sink, from the earliest point any of them needs
  const all = await eventsSince(w, Math.min(...sinks.map((x) => fromOf(x.name))));
  const oldest = nowMs - config.notify.max_age_hours * 3_600_000; // a backfill's old findings go to exports, not to chat
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
    await w.transaction(async (q) => {
      for (let i = 0; i < events.length; i += 200) {
        const chunk = events.slice(i, i + 200);
        const known = await q<{ event_id: string }>(
          `SELECT event_id FROM outbox WHERE sink = ? AND event_id IN (${chunk.map(() => "?").join(", ")})`,
          [sink.name, ...chunk.map((e) => e.eventId)],
        );
        await q(
          w.dialect.insertMissingSql("outbox", OUTBOX_COLUMNS, ["sink", "event_id"], chunk.length, {
            json: ["payload"],
          }),
          chunk.flatMap((e) => [
            sink.name,
            e.eventId,
            e.kind,
            e.severity,
            JSON.stringify(e),
            e.occurredMs,
            "pending",
            0,
            nowMs,
            null,
            null,
          ]),
        );
        queued += chunk.length - known.length;
      }
      await q("UPDATE notify_sinks SET scanned_to_ms = ? WHERE sink = ?", [Math.max(nowMs, state.scanned), sink.name]);
    });
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
  const due = sinks.length
    ? await w.query<{ sink: string; event_id: string; payload: string; attempts: number }>(
        "SELECT sink, event_id, payload, attempts FROM outbox WHERE status = 'pending' AND next_attempt_ms <= ? ORDER BY created_ms, event_id",
        [nowMs],
      )
    : [];
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
  await w.transaction(async (q) => {
    for (const r of results) {
      if (r.ok) {
        counts.delivered++;
        await q(
          "UPDATE outbox SET status = 'delivered', attempts = ?, delivered_ms = ?, last_error = NULL WHERE sink = ? AND event_id = ?",
          [r.attempts, nowMs, r.sink, r.eventId],
        );
      } else {
        const gaveUp = r.attempts >= config.notify.max_attempts;
        if (gaveUp) counts.gaveUp++;
        else counts.failed++;
        const delay = Math.min(MAX_DELAY_MS, config.notify.retry_base_delay_ms * 2 ** (r.attempts - 1));
        await q(
          "UPDATE outbox SET status = ?, attempts = ?, next_attempt_ms = ?, last_error = ? WHERE sink = ? AND event_id = ?",
          [gaveUp ? "failed" : "pending", r.attempts, nowMs + delay, r.error, r.sink, r.eventId],
        );
      }
    }
  });
  logger?.info({ msg: "Delivered notifications", ...counts });
  return counts;
}

/** When the next retry is due (null: nothing pending). */
export async function nextDueMs(w: Warehouse, config: Config): Promise<number | null> {
  const names = config.notify.sinks.filter((s) => s.enabled).map((s) => s.name);
  if (!names.length) return null;
  const [r] = await w.query<{ ms: string | null }>(
    `SELECT min(next_attempt_ms) AS ms FROM outbox WHERE status = 'pending' AND sink IN (${names.map(() => "?").join(", ")})`,
    names,
  );
  return r?.ms === null || r?.ms === undefined ? null : Number(r.ms);
}

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

/** Delivery per sink, for `tronmon status` and the dashboard's health page. */
export async function deliverySummary(w: Warehouse) {
  return w.query<{
    sink: string;
    delivered: string;
    pending: string;
    given_up: string;
    failing: string;
    last_error: string | null;
  }>(`
    SELECT sink, sum(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered, sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
      sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS given_up, sum(CASE WHEN last_error IS NOT NULL AND status <> 'delivered' THEN 1 ELSE 0 END) AS failing,
      max(CASE WHEN status <> 'delivered' THEN last_error END) AS last_error
    FROM outbox GROUP BY sink ORDER BY sink`);
}
