// Detection: score what was loaded since the last detection with each enabled detector (detectors/), store
// each finding once (stable ids), move the watermark in the same transaction, export the new findings. A crash
// leaves the watermark where it was: the next run scores the same rows again and adds only what is missing.
import type { Config } from "../config/schema.ts";
import { TRX, WELL_KNOWN_TOKENS } from "../model/tokens.ts";
import { labelled, prepared, raw, spelled, sql } from "../warehouse/sql.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { Anomaly, DetectContext, Finding, Row } from "./detector.ts";
import { DETECTORS } from "./detectors/index.ts";
import { settingsGroups } from "./settings.ts";
import { backfillCounterpartiesSql, type KnownToken, mergeCounterpartiesSql } from "./fragments.ts";
import { exportNewAnomalies, saveAnomalies } from "./anomaly-store.ts";
import { markSuppressedFindings } from "../warehouse/triage.ts";

/** New rows above which large_transaction is scored as one window pass instead of a range join (same answers). */
export const WINDOW_FROM_ROWS = 50_000;

export type DetectionSummary = {
  nowMs: number;
  found: Record<string, number>;
  timingsMs: Record<string, number>;
  exportedFile: string | null;
};

export function knownTokens(config: Config): KnownToken[] {
  return [
    { tokenId: "_", symbol: "TRX", name: TRX.name },
    ...WELL_KNOWN_TOKENS.map((t) => ({ tokenId: t.tokenId, symbol: t.symbol, name: t.name })),
    ...config.anomalies.fake_token.extra.map((t) => ({ tokenId: t.token, symbol: t.symbol, name: t.name })),
  ];
}

/** Wallets new to the detectors bring their already-scored history into `counterparties`. */
async function coverNewWallets(w: Warehouse, watermarkMs: number, known: KnownToken[]) {
  const uncoveredWallets = sql`wallets WHERE address NOT IN (SELECT wallet FROM counterparty_wallets)`;
  const [uncovered] = await w.query<{ n: string }>(
    labelled("anomalies.uncovered_wallets", sql`SELECT count(*) AS n FROM ${uncoveredWallets}`),
  );
  if (Number(uncovered.n) === 0) return;
  await w.transaction(async (q) => {
    await q(backfillCounterpartiesSql(w.dialect, { watermarkMs, known }));
    await q(
      labelled(
        "anomalies.cover_wallets",
        sql`INSERT INTO counterparty_wallets SELECT address FROM ${uncoveredWallets}`,
      ),
    );
  });
}

export async function detectAnomalies(args: {
  warehouse: Warehouse;
  config: Config;
  nowMs: number;
  outDir: string;
  windowFromRows?: number;
  /** Found before, by the risk screening (risk/screen.ts): counted with these and exported with them. */
  screened?: Record<string, number>;
}): Promise<DetectionSummary> {
  const { warehouse: w, config, nowMs } = args;
  const d = w.dialect;
  const known = knownTokens(config);
  const [state] = await w.query<{ watermark_ms: string | null }>(
    labelled("anomalies.watermark", sql`SELECT watermark_ms FROM detector_state WHERE name = 'transfers'`),
  );
  const watermarkMs = state?.watermark_ms ? Number(state.watermark_ms) : -1;
  const [top] = await w.query<{ ms: string | null }>(
    labelled("anomalies.newest_load", sql`SELECT ${raw(d.timestampToMs("max(first_seen_at)"))} AS ms FROM transfers`),
  );
  const [fresh] = await w.query<{ n: string; min_ms: string | null }>(
    labelled(
      "anomalies.fresh_transfers",
      sql`SELECT count(*) AS n, min(timestamp_ms) AS min_ms FROM transfers
      WHERE first_seen_at > ${spelled(d.msToTimestamp, watermarkMs)}`,
    ),
  );
  const scoreTransfers = Number(fresh.n) > 0; // nothing loaded since the last detection: only the burst check runs
  await coverNewWallets(w, watermarkMs, known);

  const stored = (
    await w.query<{ address: string }>(labelled("anomalies.wallets", sql`SELECT address FROM wallets`))
  ).map((r) => r.address);
  const decimals = new Map<string, number>(WELL_KNOWN_TOKENS.map((t) => [t.tokenId, t.decimals]));
  decimals.set("_", 6);
  for (const t of await w.tokens()) if (t.decimals !== null) decimals.set(t.tokenId, t.decimals);
  const found: Anomaly[] = [];
  const timingsMs: Record<string, number> = {};
  // wallets with equal settings (profile, overrides) are scored together: one query per detector and group
  const groups = settingsGroups(config, stored);
  for (const group of groups) {
    const ctx: DetectContext = {
      d,
      settings: group.settings,
      wallets: groups.length === 1 ? undefined : group.wallets,
      decimals,
      known,
      nowMs,
      watermarkMs,
      fresh: { rows: Number(fresh.n), minMs: Number(fresh.min_ms) },
      windowFromRows: args.windowFromRows ?? WINDOW_FROM_ROWS,
    };
    const enabled = new Set(group.settings.enabled);
    for (const detector of DETECTORS) {
      if (!enabled.has(detector.type) || (detector.scoresNewTransfers && !scoreTransfers)) continue;
      const t0 = performance.now();
      const rows = await w.query<Row>(detector.query(ctx));
      timingsMs[detector.type] = (timingsMs[detector.type] ?? 0) + Math.round(performance.now() - t0);
      for (const r of rows) found.push({ ...unconfirmedMarked(detector.toAnomaly(r, ctx), r), detectedAtMs: nowMs });
    }
  }

  await w.transaction(async (q) => {
    await saveAnomalies(w, q, found);
    await markSuppressedFindings(w, q, nowMs);
    if (scoreTransfers) await q(mergeCounterpartiesSql(d, { watermarkMs, known }));
    if (top?.ms !== null && top?.ms !== undefined)
      await q(
        labelled(
          "anomalies.set_watermark",
          prepared(d.upsertSql("detector_state", ["name", "watermark_ms"], ["name"], 1), ["transfers", Number(top.ms)]),
        ),
      );
  });
  const counts: Record<string, number> = { ...args.screened };
  for (const a of found) counts[a.anomalyType] = (counts[a.anomalyType] ?? 0) + 1;
  return { nowMs, found: counts, timingsMs, exportedFile: await exportNewAnomalies(w, args.outDir, nowMs) };
}

/** A finding on a transfer not yet confirmed (the node's fast lane, TronScan's newest rows) says so. */
function unconfirmedMarked(f: Finding, r: Row): Finding {
  if (r.confirmed !== false) return f;
  return { ...f, reason: `${f.reason} (unconfirmed)`, details: { ...f.details, unconfirmed: true } };
}
