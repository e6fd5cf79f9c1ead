// The analyst's decisions in the warehouse: dispositions (one per closed alert or finding, the latest wins) and
// suppressions (added, listed, removed — never deleted: removal is recorded). Matching is pure (model/triage.ts).
import { createHash } from "node:crypto";
import { UsageError } from "../internal/errors.ts";
import {
  type Disposition,
  precisionPct,
  type Suppression,
  type SuppressionKind,
  suppressing,
} from "../model/triage.ts";
import { labelled, list, prepared, sql } from "./sql.ts";
import type { Query, Warehouse } from "./types.ts";

type Row = Record<string, unknown>;

export type DispositionInput = {
  itemKind: "alert" | "finding";
  itemId: string;
  /** The rule's name (alerts) or the anomaly type (findings): what the precision report groups by. */
  source: string;
  wallet: string;
  disposition: Disposition;
  reason: string;
  by: string;
  nowMs: number;
};

const DISPOSITION_COLUMNS = [
  "item_kind",
  "item_id",
  "source",
  "wallet",
  "disposition",
  "reason",
  "decided_by",
  "decided_at_ms",
];

/** Records (or replaces) the disposition of one alert or finding, inside the caller's transaction. */
export async function recordDisposition(w: Warehouse, q: Query, d: DispositionInput): Promise<void> {
  const text = w.dialect.upsertSql("dispositions", DISPOSITION_COLUMNS, ["item_kind", "item_id"], 1);
  await q(
    labelled(
      "triage.disposition",
      prepared(text, [d.itemKind, d.itemId, d.source, d.wallet, d.disposition, d.reason, d.by, d.nowMs]),
    ),
  );
}

export type SuppressionInput = Omit<Suppression, "suppressionId" | "createdAtMs"> & { nowMs: number };

const SUPPRESSION_COLUMNS = [
  "suppression_id",
  "wallet",
  "kind",
  "name",
  "counterparty",
  "baseline",
  "factor",
  "until_ms",
  "reason",
  "created_by",
  "created_at_ms",
];

/** Adds a suppression (inside the caller's transaction when `q` is given); returns it with its id. */
export async function addSuppression(w: Warehouse, s: SuppressionInput, q?: Query): Promise<Suppression> {
  const id = createHash("sha256")
    .update([s.wallet, s.kind, s.name, s.counterparty ?? "", s.nowMs].join("|"))
    .digest("hex")
    .slice(0, 12);
  const text = w.dialect.insertMissingSql("suppressions", SUPPRESSION_COLUMNS, ["suppression_id"], 1);
  const params = [
    id,
    s.wallet,
    s.kind,
    s.name,
    s.counterparty,
    s.baseline,
    s.factor,
    s.untilMs,
    s.reason,
    s.createdBy,
    s.nowMs,
  ];
  await (q ?? ((x) => w.query(x)))(labelled("triage.suppress", prepared(text, params)));
  const { nowMs: _, ...rest } = s;
  return { ...rest, suppressionId: id, createdAtMs: s.nowMs };
}

const fromRow = (r: Row): Suppression & { removedAtMs: number | null; removedBy: string | null } => ({
  suppressionId: String(r.suppression_id),
  wallet: String(r.wallet),
  kind: r.kind as SuppressionKind,
  name: String(r.name),
  counterparty: r.counterparty === null ? null : String(r.counterparty),
  baseline: r.baseline === null ? null : String(r.baseline),
  factor: String(r.factor),
  untilMs: r.until_ms === null ? null : Number(r.until_ms),
  reason: String(r.reason),
  createdBy: String(r.created_by),
  createdAtMs: Number(r.created_at_ms),
  removedAtMs: r.removed_at_ms === null ? null : Number(r.removed_at_ms),
  removedBy: r.removed_by === null ? null : String(r.removed_by),
});

/** Suppressions not removed and not expired at `nowMs` (`all`: every one ever made, newest first). */
export async function listSuppressions(
  w: Warehouse,
  nowMs: number,
  o: { all?: boolean; kind?: SuppressionKind } = {},
  q: Query = (x) => w.query(x),
) {
  const live = o.all ? sql`TRUE` : sql`removed_at_ms IS NULL AND (until_ms IS NULL OR until_ms > ${nowMs})`;
  const kind = o.kind ? sql`kind = ${o.kind}` : sql`TRUE`;
  const rows = await q<Row>(
    labelled(
      "triage.suppressions",
      sql`SELECT * FROM suppressions WHERE ${live} AND ${kind} ORDER BY created_at_ms DESC, suppression_id`,
    ),
  );
  return rows.map(fromRow);
}

/** Ends a suppression now (recorded: by whom, when); an unknown or already removed id is a UsageError. */
export async function removeSuppression(w: Warehouse, id: string, by: string, nowMs: number): Promise<void> {
  const [s] = await w.query<Row>(
    labelled("triage.suppression", sql`SELECT * FROM suppressions WHERE suppression_id = ${id}`),
  );
  if (!s)
    throw new UsageError(`suppressions remove: no suppression with id ${JSON.stringify(id)} (see suppressions list)`);
  if (s.removed_at_ms !== null) throw new UsageError(`suppressions remove: ${id} was already removed`);
  await w.query(
    labelled(
      "triage.unsuppress",
      sql`UPDATE suppressions SET removed_at_ms = ${nowMs}, removed_by = ${by} WHERE suppression_id = ${id}`,
    ),
  );
}

/**
 * Findings detected at `nowMs` that a suppression holds back are marked: `suppressed_by` and reviewed by
 * "suppressed <id>" — kept, never dropped, but out of the feed, the queue and the notifications. A finding's
 * counterparty is the other side of its transfer; its value, its amount.
 */
export async function markSuppressedFindings(w: Warehouse, q: Query, nowMs: number): Promise<number> {
  const active = await listSuppressions(w, nowMs, { kind: "detector" }, q);
  if (!active.length) return 0;
  const fresh = await q<Row>(
    labelled(
      "triage.fresh_findings",
      sql`SELECT a.anomaly_id, a.wallet, a.anomaly_type, a.amount,
        CASE WHEN t.from_address = a.wallet THEN t.to_address ELSE t.from_address END AS counterparty
      FROM anomalies a LEFT JOIN transfers t ON t.transfer_id = a.transfer_id
      WHERE a.detected_at_ms = ${nowMs} AND a.suppressed_by IS NULL`,
    ),
  );
  const byId = new Map<string, string[]>();
  for (const f of fresh) {
    const c = {
      wallet: String(f.wallet),
      kind: "detector" as const,
      name: String(f.anomaly_type),
      counterparty: f.counterparty === null ? null : String(f.counterparty),
      value: f.amount === null ? null : String(f.amount),
    };
    const s = suppressing(active, c, nowMs);
    if (s) byId.set(s.suppressionId, [...(byId.get(s.suppressionId) ?? []), String(f.anomaly_id)]);
  }
  for (const [id, ids] of byId)
    for (let i = 0; i < ids.length; i += 500)
      await q(
        labelled(
          "triage.mark_suppressed",
          sql`UPDATE anomalies SET suppressed_by = ${id}, reviewed_at_ms = ${nowMs}, reviewed_by = ${`suppressed ${id}`}
          WHERE anomaly_id IN (${list(ids.slice(i, i + 500))})`,
        ),
      );
  return [...byId.values()].reduce((n, ids) => n + ids.length, 0);
}

export type PrecisionRow = {
  kind: "alert" | "finding";
  source: string;
  true_positive: number;
  false_positive: number;
  benign: number;
  decided: number;
  precision_pct: string | null;
};

/** Per rule and per detector: how its closed items were judged, and its precision (TP / (TP + FP)). */
export async function dispositionReport(w: Warehouse, sinceMs?: number): Promise<PrecisionRow[]> {
  const since = sinceMs === undefined ? sql`TRUE` : sql`decided_at_ms >= ${sinceMs}`;
  const rows = await w.query<Row>(
    labelled(
      "triage.report",
      sql`SELECT item_kind, source,
        sum(CASE WHEN disposition = 'true_positive' THEN 1 ELSE 0 END) AS tp,
        sum(CASE WHEN disposition = 'false_positive' THEN 1 ELSE 0 END) AS fp,
        sum(CASE WHEN disposition = 'benign' THEN 1 ELSE 0 END) AS benign, count(*) AS n
      FROM dispositions WHERE ${since} GROUP BY item_kind, source ORDER BY item_kind, source`,
    ),
  );
  return rows.map((r) => {
    const [tp, fp] = [Number(r.tp), Number(r.fp)];
    return {
      kind: r.item_kind as "alert" | "finding",
      source: String(r.source),
      true_positive: tp,
      false_positive: fp,
      benign: Number(r.benign),
      decided: Number(r.n),
      precision_pct: precisionPct(tp, fp),
    };
  });
}

/** The disposition of each of these items (id -> disposition), for the lists that show them. */
export async function dispositionsOf(w: Warehouse, kind: "alert" | "finding", ids: string[]) {
  if (!ids.length) return new Map<string, Row>();
  const rows = await w.query<Row>(
    labelled(
      "triage.dispositions_of",
      sql`SELECT * FROM dispositions WHERE item_kind = ${kind} AND item_id IN (${list(ids)})`,
    ),
  );
  return new Map(rows.map((r) => [String(r.item_id), r]));
}
