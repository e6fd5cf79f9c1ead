// Detection: score what was loaded since the last detection, store each finding once (stable ids), move
// the watermark in the same transaction, export the new findings. A crash leaves the watermark where it
// was: the next run scores the same rows again and adds only what is missing.
import { createHash } from "node:crypto";
import { writeStampedJson } from "../export/stamped.ts";
import { parseUnits } from "../normalize/amount.ts";
import { TRX, WELL_KNOWN_TOKENS, wellKnownToken } from "../normalize/tokens.ts";
import { isoUtc } from "../model/columns.ts";
import {
  addressPoisoningSql,
  backfillCounterpartiesSql,
  burstSql,
  largeTransactionWindowSql,
  mergeCounterpartiesSql,
  fakeTokenSql,
  largeTransactionSql,
  newCounterpartySql,
  spamTokenSql,
  type KnownToken,
} from "./sql.ts";
import type { Config } from "../config/schema.ts";
import type { Warehouse } from "../warehouse/types.ts";
import { DAY_MS } from "../model/time.ts";

export type AnomalyType = Config["anomalies"]["enabled"][number];
export type Anomaly = {
  anomalyId: string;
  anomalyType: AnomalyType;
  wallet: string;
  transactionId: string | null;
  transferId: string | null;
  tokenId: string | null;
  tokenSymbol: string | null;
  amount: string | null;
  amountRaw: string | null;
  reason: string;
  details: Record<string, unknown>;
  occurredAtMs: number | null;
  detectedAtMs: number;
};
/** New rows above which large_transaction is scored as one window pass instead of a range join (same answers). */
export const WINDOW_FROM_ROWS = 50_000;

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
];

export type DetectionSummary = {
  nowMs: number;
  found: Record<string, number>;
  timingsMs: Record<string, number>;
  exportedFile: string | null;
};

const id = (...parts: string[]) => createHash("sha256").update(parts.join("|")).digest("hex").slice(0, 24);
const tok = (r: Record<string, unknown>) => String(r.token_symbol ?? r.token_id);
const num = (v: unknown) => Number(v);
/** A DOUBLE statistic of raw units, shown in token units (approximate: statistics, not money). */
const scaledStat = (v: number, decimals: number | null) =>
  (decimals ? v / 10 ** decimals : v).toLocaleString("en-US", { maximumFractionDigits: 6 });

/** The fields every transfer-based anomaly takes from its row. */
function ofTransfer(type: AnomalyType, r: Record<string, unknown>) {
  return {
    anomalyId: id(type, String(r.transfer_id)),
    anomalyType: type,
    wallet: String(r.wallet),
    transactionId: String(r.transaction_id),
    transferId: String(r.transfer_id),
    tokenId: String(r.token_id),
    tokenSymbol: (r.token_symbol as string | null) ?? null,
    amount: (r.amount as string | null) ?? null,
    amountRaw: String(r.amount_raw),
    occurredAtMs: num(r.timestamp_ms),
  };
}

export function knownTokens(config: Config): KnownToken[] {
  return [
    { tokenId: "_", symbol: "TRX", name: TRX.name },
    ...WELL_KNOWN_TOKENS.map((t) => ({ tokenId: t.tokenId, symbol: t.symbol, name: t.name })),
    ...config.anomalies.fake_token.extra.map((t) => ({ tokenId: t.token, symbol: t.symbol, name: t.name })),
  ];
}

export async function detectAnomalies(args: {
  warehouse: Warehouse;
  config: Config;
  nowMs: number;
  outDir: string;
  windowFromRows?: number;
}): Promise<DetectionSummary> {
  const { warehouse: w, config, nowMs } = args;
  const cfg = config.anomalies;
  const on = new Set(cfg.enabled);
  const known = knownTokens(config);
  const [state] = await w.query<{ watermark_ms: string | null }>(
    "SELECT watermark_ms FROM detector_state WHERE name = 'transfers'",
  );
  const watermarkMs = state?.watermark_ms ? Number(state.watermark_ms) : -1;
  const [top] = await w.query<{ ms: string | null }>(
    `SELECT ${w.dialect.timestampToMs("max(first_seen_at)")} AS ms FROM transfers`,
  );
  const found: Anomaly[] = [];
  const push = (a: Omit<Anomaly, "detectedAtMs">) => found.push({ ...a, detectedAtMs: nowMs });
  const timingsMs: Record<string, number> = {};
  const q = async (x: { sql: string; params: unknown[] }, name: string) => {
    const t0 = performance.now();
    try {
      return await w.query<Record<string, string | number | boolean | null>>(x.sql, x.params);
    } finally {
      timingsMs[name] = Math.round(performance.now() - t0);
    }
  };
  const d = w.dialect;

  const [fresh] = await w.query<{ n: string; min_ms: string | null }>(
    `SELECT count(*) AS n, min(timestamp_ms) AS min_ms FROM transfers WHERE first_seen_at > ${d.msToTimestamp("?")}`,
    [watermarkMs],
  );
  const scoreTransfers = Number(fresh.n) > 0; // nothing loaded since the last detection: only the burst check runs
  const [uncovered] = await w.query<{ n: string }>(
    "SELECT count(*) AS n FROM wallets WHERE address NOT IN (SELECT wallet FROM counterparty_wallets)",
  );
  if (Number(uncovered.n) > 0)
    await w.transaction(async (tx) => {
      // wallets new to the detectors bring their already-scored history in
      const x = backfillCounterpartiesSql(d, { watermarkMs, known });
      await tx(x.sql, x.params);
      await tx(
        "INSERT INTO counterparty_wallets SELECT address FROM wallets WHERE address NOT IN (SELECT wallet FROM counterparty_wallets)",
      );
    });

  if (scoreTransfers && on.has("large_transaction")) {
    const p = cfg.large_transaction;
    const historyFromMs = Number(fresh.min_ms) - p.lookback_days * DAY_MS;
    // few new rows: a range join per new row; many (a first detection, a re-score): one window pass
    const build =
      d.framedMedian && Number(fresh.n) > (args.windowFromRows ?? WINDOW_FROM_ROWS)
        ? largeTransactionWindowSql
        : largeTransactionSql;
    for (const r of await q(
      build(d, {
        watermarkMs,
        historyFromMs,
        minSample: p.min_sample,
        sigmas: p.sigmas,
        lookbackDays: p.lookback_days,
      }),
      "large_transaction",
    )) {
      const dec = r.token_decimals === null ? null : num(r.token_decimals);
      const limit = num(r.median) + p.sigmas * num(r.stddev ?? 0);
      push({
        ...ofTransfer("large_transaction", r),
        reason: `${r.direction === "in" ? "Received" : "Sent"} ${r.amount ?? r.amount_raw} ${tok(r)}, above median ${scaledStat(num(r.median), dec)} + ${p.sigmas} × standard deviation ${scaledStat(num(r.stddev ?? 0), dec)} = ${scaledStat(limit, dec)} ${tok(r)} of this wallet's ${r.sample} ${r.direction === "in" ? "incoming" : "outgoing"} ${tok(r)} transfers in the ${p.lookback_days} days before.`,
        details: {
          direction: r.direction,
          sample: num(r.sample),
          median_raw: num(r.median),
          stddev_raw: num(r.stddev ?? 0),
          sigmas: p.sigmas,
        },
      });
    }
  }
  if (scoreTransfers && on.has("new_counterparty")) {
    for (const r of await q(newCounterpartySql(d, { watermarkMs, known }), "new_counterparty"))
      push({
        ...ofTransfer("new_counterparty", r),
        reason: `Sent ${r.amount ?? r.amount_raw} ${tok(r)} to ${r.counterparty}, an address this wallet never sent to or received from before.`,
        details: { counterparty: r.counterparty },
      });
  }
  if (scoreTransfers && on.has("address_poisoning")) {
    const p = cfg.address_poisoning;
    const decimalsOf = (token: string) => wellKnownToken(token)?.decimals ?? 6;
    const dust = p.dust.map((x) => ({ tokenId: x.token, maxRaw: parseUnits(x.max, decimalsOf(x.token)).toString() }));
    for (const r of await q(
      addressPoisoningSql(d, { watermarkMs, prefix: p.prefix, suffix: p.suffix, dust, known }),
      "address_poisoning",
    ))
      push({
        ...ofTransfer("address_poisoning", r),
        reason: `Received ${r.amount ?? r.amount_raw} ${tok(r)} from ${r.lookalike}, which imitates ${r.imitated}, a real counterparty of this wallet (same first ${p.prefix} and last ${p.suffix} characters): likely address poisoning — do not copy this address.`,
        details: { lookalike: r.lookalike, imitated: r.imitated, prefix: p.prefix, suffix: p.suffix },
      });
  }
  if (scoreTransfers && on.has("fake_token")) {
    for (const r of await q(fakeTokenSql(d, { watermarkMs, known }), "fake_token")) {
      const real = known.find(
        (k) =>
          k.symbol.toLowerCase() ===
            String(r.token_symbol ?? "")
              .trim()
              .toLowerCase() ||
          k.name.toLowerCase() ===
            String(r.token_name ?? "")
              .trim()
              .toLowerCase(),
      );
      push({
        ...ofTransfer("fake_token", r),
        reason: `Token "${r.token_symbol}" ("${r.token_name}") at ${r.token_id} imitates ${real?.symbol ?? "a well-known token"} but is not the real one (${real?.tokenId ?? "?"}); ${r.direction === "in" ? "received" : "sent"} ${r.amount ?? r.amount_raw}.`,
        details: { imitates: real?.tokenId ?? null, direction: r.direction },
      });
    }
  }
  if (scoreTransfers && on.has("spam_token")) {
    for (const r of await q(spamTokenSql(d, { watermarkMs, known }), "spam_token"))
      push({
        ...ofTransfer("spam_token", r),
        reason: `Airdrop of ${r.amount ?? r.amount_raw} ${tok(r)} (${r.token_id}): ${[r.risk ? "flagged risky by TronScan" : null, r.token_level === "3" || r.token_level === "4" ? `token level ${r.token_level} (${r.token_level === "4" ? "unsafe" : "suspicious"})` : null].filter(Boolean).join(", ") || "imitates a well-known token"}.`,
        details: { risk: r.risk, token_level: r.token_level },
      });
  }
  if (on.has("burst_activity")) {
    const p = cfg.burst_activity;
    const recent = new Set(
      (
        await w.query<{ wallet: string }>(
          "SELECT wallet FROM anomalies WHERE anomaly_type = 'burst_activity' AND detected_at_ms > ?",
          [nowMs - DAY_MS],
        )
      ).map((r) => r.wallet),
    );
    for (const r of await q(burstSql({ nowMs, factor: p.factor, minCount: p.min_count }), "burst_activity")) {
      if (recent.has(String(r.wallet))) continue; // one anomaly per burst, not one per cycle
      const avg = num(r.previous_7d) / 7;
      push({
        anomalyId: id("burst_activity", String(r.wallet), String(nowMs)),
        anomalyType: "burst_activity",
        wallet: String(r.wallet),
        transactionId: null,
        transferId: null,
        tokenId: null,
        tokenSymbol: null,
        amount: null,
        amountRaw: null,
        occurredAtMs: nowMs,
        reason: `${r.last_24h} transactions in the 24 hours before ${isoUtc(nowMs)}, more than ${p.factor} × the daily average of ${avg.toFixed(1)} over the 7 days before.`,
        details: { last_24h: num(r.last_24h), previous_7d: num(r.previous_7d), factor: p.factor },
      });
    }
  }

  await w.transaction(async (tx) => {
    for (let i = 0; i < found.length; i += 200) {
      const chunk = found.slice(i, i + 200);
      await tx(
        d.insertMissingSql("anomalies", ANOMALY_COLUMNS, ["anomaly_id"], chunk.length, { json: ["details"] }),
        chunk.flatMap((a) => [
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
        ]),
      );
    }
    if (scoreTransfers) {
      const pairs = mergeCounterpartiesSql(d, { watermarkMs, known });
      await tx(pairs.sql, pairs.params);
    }
    if (top?.ms !== null && top?.ms !== undefined)
      await tx(w.dialect.upsertSql("detector_state", ["name", "watermark_ms"], ["name"], 1), [
        "transfers",
        Number(top.ms),
      ]);
  });
  const counts: Record<string, number> = {};
  for (const a of found) counts[a.anomalyType] = (counts[a.anomalyType] ?? 0) + 1;
  return { nowMs, found: counts, timingsMs, exportedFile: await exportNewAnomalies(w, args.outDir, nowMs) };
}

export function anomalyExport(r: Record<string, unknown>) {
  return {
    wallet: r.wallet,
    transaction_id: r.transaction_id,
    anomaly_type: r.anomaly_type,
    amount: r.amount,
    reason: r.reason,
    token: r.token_id,
    token_symbol: r.token_symbol,
    amount_raw: r.amount_raw,
    detected_at: isoUtc(Number(r.detected_at_ms)),
    occurred_at: r.occurred_at_ms === null ? null : isoUtc(Number(r.occurred_at_ms)),
    anomaly_id: r.anomaly_id,
    transfer_id: r.transfer_id,
    details: typeof r.details === "string" ? JSON.parse(r.details) : r.details,
  };
}

/** Each anomaly is written once: those not exported yet go to out/anomalies/anomalies_<stamp>.json. */
export async function exportNewAnomalies(w: Warehouse, outDir: string, nowMs: number): Promise<string | null> {
  const rows = await w.query<Record<string, unknown>>(
    "SELECT * FROM anomalies WHERE NOT exported ORDER BY detected_at_ms, anomaly_id",
  );
  if (!rows.length) return null;
  const file = writeStampedJson(outDir, "anomalies", nowMs, rows.map(anomalyExport));
  await w.transaction(async (q) => {
    for (let i = 0; i < rows.length; i += 500) {
      const ids = rows.slice(i, i + 500).map((r) => r.anomaly_id);
      await q(`UPDATE anomalies SET exported = true WHERE anomaly_id IN (${ids.map(() => "?").join(", ")})`, ids);
    }
  });
  return file;
}
