// Stored anomalies: written once (insert-if-missing by their stable id) and exported once.
import { anomalyExport } from "../export/shapes.ts";
import { writeStampedJson } from "../export/stamped.ts";
import { utcDaySql } from "../model/time.ts";
import { and, labelled, list, prepared, raw, sql } from "../warehouse/sql.ts";
import { type Severity, severitiesFrom } from "../model/severity.ts";
import type { Query, Warehouse } from "../warehouse/types.ts";
import type { Anomaly } from "./detector.ts";

const ANOMALY_COLUMNS = [
  "anomaly_id",
  "anomaly_type",
  "wallet",
  "transaction_id",
  "transfer_id",
  "token_id",
  "token_symbol",
  "amount",
  "amount_raw",
  "reason",
  "details",
  "occurred_at_ms",
  "detected_at_ms",
  "exported",
  "severity",
];

/** Adds the anomalies not stored yet (inside the caller's transaction). */
export async function saveAnomalies(w: Warehouse, q: Query, found: Anomaly[]): Promise<void> {
  for (let i = 0; i < found.length; i += 200) {
    const chunk = found.slice(i, i + 200);
    const text = w.dialect.insertMissingSql("anomalies", ANOMALY_COLUMNS, ["anomaly_id"], chunk.length, {
      json: ["details"],
    });
    const params = chunk.flatMap((a) => [
      a.anomalyId,
      a.anomalyType,
      a.wallet,
      a.transactionId,
      a.transferId,
      a.tokenId,
      a.tokenSymbol,
      a.amount,
      a.amountRaw,
      a.reason,
      JSON.stringify(a.details),
      a.occurredAtMs,
      a.detectedAtMs,
      false,
      a.severity,
    ]);
    await q(labelled("anomalies.save", prepared(text, params)));
  }
}

/** Each anomaly is written once: those not exported yet go to out/anomalies/anomalies_<stamp>.json. */
export async function exportNewAnomalies(w: Warehouse, outDir: string, nowMs: number): Promise<string | null> {
  const rows = await w.query<Record<string, unknown>>(
    labelled(
      "anomalies.unexported",
      sql`SELECT * FROM anomalies WHERE NOT exported ORDER BY detected_at_ms, anomaly_id`,
    ),
  );
  if (!rows.length) return null;
  const file = writeStampedJson(outDir, "anomalies", nowMs, rows.map(anomalyExport));
  await w.transaction(async (q) => {
    for (let i = 0; i < rows.length; i += 500) {
      const ids = rows.slice(i, i + 500).map((r) => r.anomaly_id);
      await q(
        labelled(
          "anomalies.mark_exported",
          sql`UPDATE anomalies SET exported = true WHERE anomaly_id IN (${list(ids)})`,
        ),
      );
    }
  });
  return file;
}

/** Anomalies detected at or after `sinceMs`, oldest first. */
export const anomaliesSince = (w: Warehouse, sinceMs: number) =>
  w.query<Record<string, unknown>>(
    labelled(
      "anomalies.since",
      sql`SELECT * FROM anomalies WHERE detected_at_ms >= ${sinceMs} ORDER BY detected_at_ms, anomaly_id`,
    ),
  );

/** SQL: the finding's severity is `min` or above (`alias`: the anomalies table's, e.g. "a."). */
export const atLeastSeverity = (min: Severity, alias = "") =>
  sql`${raw(`${alias}severity`)} IN (${list(severitiesFrom(min))})`;

/** The latest anomalies (of one type, wallet, at least a severity), newest first: `tronmon anomalies list`. */
export const latestAnomalies = (
  w: Warehouse,
  o: { type?: string; wallet?: string; minSeverity?: Severity; limit: number },
) =>
  w.query<Record<string, unknown>>(
    labelled(
      "anomalies.latest",
      sql`SELECT * FROM anomalies WHERE ${and([
        ...(o.type ? [sql`anomaly_type = ${o.type}`] : []),
        ...(o.wallet ? [sql`wallet = ${o.wallet}`] : []),
        ...(o.minSeverity ? [atLeastSeverity(o.minSeverity)] : []),
      ])}
      ORDER BY detected_at_ms DESC, occurred_at_ms DESC, anomaly_id LIMIT ${o.limit}`,
    ),
  );

/** One finding with its counterparty (the other side of its transfer; null without one), or null. */
export async function findingById(w: Warehouse, id: string): Promise<Record<string, unknown> | null> {
  const [r] = await w.query<Record<string, unknown>>(
    labelled(
      "anomalies.by_id",
      sql`SELECT a.*, CASE WHEN t.from_address = a.wallet THEN t.to_address ELSE t.from_address END AS counterparty
      FROM anomalies a LEFT JOIN transfers t ON t.transfer_id = a.transfer_id WHERE a.anomaly_id = ${id}`,
    ),
  );
  return r ?? null;
}

/** Marks one finding reviewed by whom and when (inside the caller's transaction). */
export async function reviewFinding(q: Query, a: { id: string; by: string; nowMs: number }): Promise<void> {
  await q(
    labelled(
      "anomalies.review_one",
      sql`UPDATE anomalies SET reviewed_at_ms = ${a.nowMs}, reviewed_by = ${a.by} WHERE anomaly_id = ${a.id}`,
    ),
  );
}

/** Every anomaly, in the order found: `tronmon export anomalies`. */
export const allAnomalies = (w: Warehouse) =>
  w.query<Record<string, unknown>>(
    labelled("anomalies.all", sql`SELECT * FROM anomalies ORDER BY detected_at_ms, anomaly_id`),
  );

/** Found per type with an example reason (the demo's summary). */
export const anomalyCounts = (w: Warehouse) =>
  w.query<Record<string, string>>(
    labelled(
      "anomalies.counts",
      sql`SELECT anomaly_type AS type, count(*) AS found, min(reason) AS example FROM anomalies GROUP BY anomaly_type ORDER BY type`,
    ),
  );

/** Marks a wallet's anomalies of one type on one UTC day (of the activity) reviewed, by whom and when. */
export async function reviewAnomalies(
  w: Warehouse,
  a: { wallet: string; type: string; dayMs: number; by: string; nowMs: number },
): Promise<number> {
  const day = raw(utcDaySql("COALESCE(occurred_at_ms, detected_at_ms)"));
  const where = sql`wallet = ${a.wallet} AND anomaly_type = ${a.type} AND ${day} = ${a.dayMs} AND reviewed_at_ms IS NULL`;
  return w.transaction(async (q) => {
    const [n] = await q<{ n: string }>(
      labelled("anomalies.review_count", sql`SELECT count(*) AS n FROM anomalies WHERE ${where}`),
    );
    await q(
      labelled(
        "anomalies.review",
        sql`UPDATE anomalies SET reviewed_at_ms = ${a.nowMs}, reviewed_by = ${a.by} WHERE ${where}`,
      ),
    );
    return Number(n.n);
  });
}

/** Who `retractDropped` records as the reviewer: the transaction the finding is about never made it into the chain. */
export const DROPPED_REVIEWER = "tronmon: transaction dropped (its block was replaced)";

/**
 * Findings about transactions since dropped (the fast lane's replaced blocks) are marked reviewed by DROPPED_REVIEWER,
 * so the feed stops showing them as open while keeping them, and what was sent about them, on record.
 */
export async function retractDropped(w: Warehouse, nowMs: number): Promise<number> {
  const dropped = sql`reviewed_at_ms IS NULL AND transaction_id IN (SELECT hash FROM transactions WHERE status = 'dropped')`;
  const [n] = await w.query<{ n: string }>(
    labelled("anomalies.dropped_count", sql`SELECT count(*) AS n FROM anomalies WHERE ${dropped}`),
  );
  if (n.n === "0") return 0;
  await w.query(
    labelled(
      "anomalies.retract_dropped",
      sql`UPDATE anomalies SET reviewed_at_ms = ${nowMs}, reviewed_by = ${DROPPED_REVIEWER} WHERE ${dropped}`,
    ),
  );
  return Number(n.n);
}
