// The notification outbox's storage: per sink, what it has been told since when; one row per event and sink
// with its delivery state. notify/delivery.ts decides what to queue and when to send.
import { labelled, list, prepared, sql } from "./sql.ts";
import type { Warehouse } from "./types.ts";

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

export type QueuedEvent = { eventId: string; kind: string; severity: string; occurredMs: number; payload: unknown };
export type Due = { sink: string; event_id: string; payload: unknown; attempts: number };
export type Attempt = {
  sink: string;
  eventId: string;
  ok: boolean;
  attempts: number;
  error?: string;
  gaveUp?: boolean;
};

/** A sink's state; a sink seen for the first time starts at `sinceMs`. */
export async function sinkState(w: Warehouse, sink: string, sinceMs: number) {
  const cols = ["sink", "since_ms", "scanned_to_ms"];
  const insert = w.dialect.insertMissingSql("notify_sinks", cols, ["sink"], 1);
  await w.query(labelled("outbox.add_sink", prepared(insert, [sink, sinceMs, sinceMs])));
  const [state] = await w.query<{ since_ms: string; scanned_to_ms: string }>(
    labelled("outbox.sink", sql`SELECT since_ms, scanned_to_ms FROM notify_sinks WHERE sink = ${sink}`),
  );
  return { since: Number(state.since_ms), scanned: Number(state.scanned_to_ms) };
}

/** Queues the events for a sink (each once) and records how far it was scanned, in one transaction. */
export async function queueEvents(
  w: Warehouse,
  sink: string,
  events: QueuedEvent[],
  nowMs: number,
  scannedToMs: number,
): Promise<number> {
  let queued = 0;
  await w.transaction(async (q) => {
    for (let i = 0; i < events.length; i += 200) {
      const chunk = events.slice(i, i + 200);
      const ids = chunk.map((e) => e.eventId);
      const known = await q(
        labelled("outbox.known", sql`SELECT event_id FROM outbox WHERE sink = ${sink} AND event_id IN (${list(ids)})`),
      );
      const opts = { json: ["payload"] };
      const insert = w.dialect.insertMissingSql("outbox", OUTBOX_COLUMNS, ["sink", "event_id"], chunk.length, opts);
      const params = chunk.flatMap((e) => [
        sink,
        e.eventId,
        e.kind,
        e.severity,
        JSON.stringify(e.payload),
        e.occurredMs,
        "pending",
        0,
        nowMs,
        null,
        null,
      ]);
      await q(labelled("outbox.queue", prepared(insert, params)));
      queued += chunk.length - known.length;
    }
    await q(
      labelled("outbox.scanned", sql`UPDATE notify_sinks SET scanned_to_ms = ${scannedToMs} WHERE sink = ${sink}`),
    );
  });
  return queued;
}

/** Rows due for delivery now, oldest first. */
export const dueRows = (w: Warehouse, nowMs: number) =>
  w.query<Due>(
    labelled(
      "outbox.due",
      sql`SELECT sink, event_id, payload, attempts FROM outbox WHERE status = 'pending' AND next_attempt_ms <= ${nowMs}
      ORDER BY created_ms, event_id`,
    ),
  );

/** What each delivery attempt did: delivered, or pending again at `retryAtMs`, or given up. */
export async function recordAttempts(w: Warehouse, attempts: (Attempt & { retryAtMs: number })[], nowMs: number) {
  await w.transaction(async (q) => {
    for (const r of attempts) {
      if (r.ok)
        await q(
          labelled(
            "outbox.delivered",
            sql`UPDATE outbox SET status = 'delivered', attempts = ${r.attempts}, delivered_ms = ${nowMs},
          last_error = NULL WHERE sink = ${r.sink} AND event_id = ${r.eventId}`,
          ),
        );
      else
        await q(
          labelled(
            "outbox.failed",
            sql`UPDATE outbox SET status = ${r.gaveUp ? "failed" : "pending"}, attempts = ${r.attempts},
          next_attempt_ms = ${r.retryAtMs}, last_error = ${r.error ?? null} WHERE sink = ${r.sink} AND event_id =
            ${r.eventId}`,
          ),
        );
    }
  });
}

/** When the next retry of these sinks is due (null: nothing pending). */
export async function nextDueMs(w: Warehouse, sinks: string[]): Promise<number | null> {
  if (!sinks.length) return null;
  const [r] = await w.query<{ ms: string | null }>(
    labelled(
      "outbox.next_due",
      sql`SELECT min(next_attempt_ms) AS ms FROM outbox WHERE status = 'pending' AND sink IN (${list(sinks)})`,
    ),
  );
  return r?.ms === null || r?.ms === undefined ? null : Number(r.ms);
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
  }>(
    labelled(
      "outbox.summary",
      sql`SELECT sink, sum(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
        sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
        sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS given_up,
        sum(CASE WHEN last_error IS NOT NULL AND status <> 'delivered' THEN 1 ELSE 0 END) AS failing,
        max(CASE WHEN status <> 'delivered' THEN last_error END) AS last_error
      FROM outbox GROUP BY sink ORDER BY sink`,
    ),
  );
}
