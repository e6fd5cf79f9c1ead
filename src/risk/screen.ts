// Screening: every movement of a watched wallet against the lists' current entries, the counterparty on either
// side. New movements (loaded since the last screening) meet every entry; a list version not screened yet meets the
// whole stored history once, so a payment made before an address was listed becomes a finding dated by the payment.
// A removed entry resolves the findings it caused. Ids join movement and entry: the same pair never finds twice.
import { jsonObject } from "../internal/json.ts";
import type { Anomaly } from "../anomalies/detector.ts";
import { anomalyId } from "../anomalies/detector.ts";
import { saveAnomalies } from "../anomalies/anomaly-store.ts";
import { walletTransfers } from "../warehouse/activity/wallet-side.ts";
import { join, labelled, list, prepared, raw, type Sql, spelled, sql } from "../warehouse/sql.ts";
import type { Warehouse } from "../warehouse/types.ts";

type Hit = Record<string, string | number | boolean | null>;
export type ScreeningSummary = { found: Record<string, number>; resolved: number; versionsScreened: number };

const STATE = "risk_screen";
const MOVEMENT = raw(
  "t.transfer_id, t.transaction_id, t.timestamp_ms, t.token_id, t.token_symbol, t.amount, t.amount_raw, t.status, t.confirmed",
);
const ENTRY = raw(
  "e.list_name, e.address AS listed_address, e.category, e.note, e.added_version, e.removed_version, e.listed_at_ms, e.details AS entry_details, l.kind",
);

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Movements (`where` over `t`) joined with entries (`entries` over `e`). */
function hitsSql(where: Sql, entries: Sql): Sql {
  return sql`SELECT m.*, ${ENTRY} FROM (${walletTransfers({ select: MOVEMENT, where })}) m
    JOIN risk_entries e ON e.address = m.counterparty AND ${entries}
    JOIN risk_lists l ON l.list_name = e.list_name AND l.version = e.added_version`;
}

const hitId = (h: Hit) =>
  anomalyId(
    "listed_counterparty",
    String(h.wallet),
    String(h.transfer_id),
    String(h.list_name),
    String(h.listed_address),
    String(h.added_version),
  );

function details(h: Hit): Record<string, unknown> {
  const extra = jsonObject(h.entry_details);
  return {
    list: h.list_name,
    kind: h.kind,
    category: h.category,
    version: Number(h.added_version),
    listed_at: new Date(Number(h.listed_at_ms)).toISOString(),
    address: h.listed_address,
    direction: h.direction,
    note: h.note,
    ...(Object.keys(extra).length ? { entry: extra } : {}),
  };
}

/** What a hit says: who, on which list (version, category), listed when, and the movement's own date. */
export function hitReason(h: Hit): string {
  const amount = `${h.amount ?? h.amount_raw} ${h.token_symbol ?? h.token_id}`;
  const moved = h.direction === "in" ? `Received ${amount} from` : `Sent ${amount} to`;
  const listedMs = Number(h.listed_at_ms);
  const whenMs = Number(h.timestamp_ms);
  const event = h.kind === "tether" ? "the freeze" : "the listing";
  const rel =
    whenMs < listedMs ? `${Math.round((listedMs - whenMs) / 86_400_000)} days before ${event}` : `after ${event}`;
  const status = h.status && h.status !== "success" ? ` (${h.status})` : "";
  if (h.kind === "tether")
    return `${moved} ${h.listed_address}, an address Tether froze for USDT on ${day(listedMs)} (${h.list_name} version ${h.added_version}); movement on ${day(whenMs)}, ${rel}${status}.`;
  return `${moved} ${h.listed_address}, listed on ${h.list_name} (${h.category}, version ${h.added_version}, listed ${day(listedMs)}); movement on ${day(whenMs)}, ${rel}${status}.`;
}

function toFinding(h: Hit, nowMs: number): Anomaly {
  return {
    anomalyId: hitId(h),
    anomalyType: "listed_counterparty",
    wallet: String(h.wallet),
    transactionId: String(h.transaction_id),
    transferId: String(h.transfer_id),
    tokenId: String(h.token_id),
    tokenSymbol: (h.token_symbol as string | null) ?? null,
    amount: (h.amount as string | null) ?? null,
    amountRaw: String(h.amount_raw),
    reason: hitReason(h) + (h.confirmed === false ? " (unconfirmed)" : ""),
    details: details(h),
    occurredAtMs: Number(h.timestamp_ms),
    detectedAtMs: nowMs,
    severity: "critical",
  };
}

/** A watched wallet that is itself on a list (or frozen by Tether). */
function walletFinding(r: Hit, nowMs: number): Anomaly {
  const listedMs = Number(r.listed_at_ms);
  const reason =
    r.kind === "tether"
      ? `This watched wallet was frozen by Tether for USDT on ${day(listedMs)} (${r.list_name} version ${r.added_version}): it can neither send nor receive USDT.`
      : `This watched wallet is listed on ${r.list_name} (${r.category}, version ${r.added_version}, listed ${day(listedMs)}).`;
  return {
    anomalyId: anomalyId("listed_wallet", String(r.wallet), String(r.list_name), String(r.added_version)),
    anomalyType: "listed_wallet",
    wallet: String(r.wallet),
    transactionId: null,
    transferId: null,
    tokenId: null,
    tokenSymbol: null,
    amount: null,
    amountRaw: null,
    reason,
    details: details({ ...r, listed_address: r.wallet, direction: null }),
    occurredAtMs: listedMs,
    detectedAtMs: nowMs,
    severity: "critical",
  };
}

/** Who `resolveRemoved` records as the reviewer of a finding whose list entry was removed. */
export const REMOVED_REVIEWER = "tronmon: removed from the list";

async function unscreened(w: Warehouse) {
  return w.query<{ list_name: string; version: number }>(
    labelled("risk.unscreened", sql`SELECT list_name, version FROM risk_lists WHERE screened_at_ms IS NULL`),
  );
}

const versionsIn = (alias: string, col: string, vs: { list_name: string; version: number }[]) =>
  vs.length
    ? sql`(${join(
        vs.map(
          (v) => sql`(${raw(alias)}.list_name = ${v.list_name} AND ${raw(`${alias}.${col}`)} = ${Number(v.version)})`,
        ),
        " OR ",
      )})`
    : raw("FALSE");

/**
 * Screens what is new: movements loaded since the last screening against every current entry, and every stored
 * movement against the entries of versions not screened yet; resolves what removed entries caused. One transaction.
 */
export async function screenMovements(w: Warehouse, nowMs: number): Promise<ScreeningSummary> {
  const d = w.dialect;
  const [state] = await w.query<{ watermark_ms: string | null }>(
    labelled("risk.watermark", sql`SELECT watermark_ms FROM detector_state WHERE name = ${STATE}`),
  );
  const watermarkMs = state?.watermark_ms ? Number(state.watermark_ms) : -1;
  const [top] = await w.query<{ ms: string | null }>(
    labelled("risk.newest_load", sql`SELECT ${raw(d.timestampToMs("max(first_seen_at)"))} AS ms FROM transfers`),
  );
  const versions = (await unscreened(w)).map((v) => ({ list_name: v.list_name, version: Number(v.version) }));
  const fresh = sql`t.first_seen_at > ${spelled(d.msToTimestamp, watermarkMs)}`;
  const current = raw("e.removed_version IS NULL");
  const hits = await w.query<Hit>(labelled("risk.screen_new", hitsSql(fresh, current)));
  if (versions.length)
    hits.push(
      ...(await w.query<Hit>(
        labelled(
          "risk.rescreen",
          hitsSql(raw("TRUE"), sql`${current} AND ${versionsIn("e", "added_version", versions)}`),
        ),
      )),
    );
  const own = await w.query<Hit>(
    labelled(
      "risk.watched_listed",
      sql`SELECT w.address AS wallet, ${ENTRY} FROM wallets w JOIN risk_entries e ON e.address = w.address
        AND e.removed_version IS NULL JOIN risk_lists l ON l.list_name = e.list_name AND l.version = e.added_version`,
    ),
  );
  // what removed entries caused: the same ids, found again from the entries' removal versions
  const gone = versions.length
    ? await w.query<Hit>(
        labelled("risk.removed_hits", hitsSql(raw("TRUE"), versionsIn("e", "removed_version", versions))),
      )
    : [];
  const goneOwn = versions.length
    ? await w.query<Hit>(
        labelled(
          "risk.removed_own",
          sql`SELECT w.address AS wallet, ${ENTRY} FROM wallets w JOIN risk_entries e ON e.address = w.address
            AND ${versionsIn("e", "removed_version", versions)}
            JOIN risk_lists l ON l.list_name = e.list_name AND l.version = e.added_version`,
        ),
      )
    : [];
  const found = [
    ...new Map(
      [...hits.map((h) => toFinding(h, nowMs)), ...own.map((r) => walletFinding(r, nowMs))].map((a) => [
        a.anomalyId,
        a,
      ]),
    ).values(),
  ];
  const goneIds = [...gone.map(hitId), ...goneOwn.map((r) => walletFinding(r, nowMs).anomalyId)];
  const summary: ScreeningSummary = { found: {}, resolved: 0, versionsScreened: versions.length };
  await w.transaction(async (q) => {
    // only what is not stored yet counts as found
    const known = new Set<string>();
    for (let i = 0; i < found.length; i += 500) {
      const ids = found.slice(i, i + 500).map((a) => a.anomalyId);
      for (const r of await q<{ anomaly_id: string }>(
        labelled("risk.known_findings", sql`SELECT anomaly_id FROM anomalies WHERE anomaly_id IN (${list(ids)})`),
      ))
        known.add(r.anomaly_id);
    }
    const added = found.filter((a) => !known.has(a.anomalyId));
    await saveAnomalies(w, q, added);
    for (let i = 0; i < goneIds.length; i += 500) {
      const ids = goneIds.slice(i, i + 500);
      const where = sql`anomaly_id IN (${list(ids)}) AND reviewed_at_ms IS NULL`;
      const [n] = await q<{ n: string }>(
        labelled("risk.resolve_count", sql`SELECT count(*) AS n FROM anomalies WHERE ${where}`),
      );
      summary.resolved += Number(n.n);
      await q(
        labelled(
          "risk.resolve_removed",
          sql`UPDATE anomalies SET reviewed_at_ms = ${nowMs}, reviewed_by = ${REMOVED_REVIEWER} WHERE ${where}`,
        ),
      );
    }
    if (versions.length)
      await q(
        labelled(
          "risk.mark_screened",
          sql`UPDATE risk_lists SET screened_at_ms = ${nowMs} WHERE ${versionsIn("risk_lists", "version", versions)}`,
        ),
      );
    if (top?.ms !== null && top?.ms !== undefined)
      await q(
        labelled(
          "risk.set_watermark",
          prepared(d.upsertSql("detector_state", ["name", "watermark_ms"], ["name"], 1), [STATE, Number(top.ms)]),
        ),
      );
    for (const a of added) summary.found[a.anomalyType] = (summary.found[a.anomalyType] ?? 0) + 1;
  });
  return summary;
}
