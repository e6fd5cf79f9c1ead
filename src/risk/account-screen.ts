// Screening a watched wallet's own transactions for a change of control: a permission update (critical, with the
// key sets before and after) and an approval of an unlimited or very large allowance to a spender not allowed
// (warning). Transactions loaded since the last screening, from either source; each finding once (by transaction).
import { jsonObject } from "../internal/json.ts";
import type { Anomaly } from "../anomalies/detector.ts";
import { anomalyId } from "../anomalies/detector.ts";
import { saveAnomalies } from "../anomalies/anomaly-store.ts";
import type { RiskSettings } from "../config/risk-schema.ts";
import { formatUnits, parseUnits } from "../model/amount.ts";
import { wellKnownToken } from "../model/tokens.ts";
import { labelled, prepared, raw, spelled, sql } from "../warehouse/sql.ts";
import type { Warehouse } from "../warehouse/types.ts";
import { approvalCall, describePermissions, type PermissionSet, permissionUpdate } from "./account-changes.ts";

type Row = Record<string, string | number | boolean | null>;
const STATE = "risk_accounts";
/** An allowance at or above 2^128 is "unlimited" whatever the token (the usual value is 2^256 - 1). */
const UNLIMITED = 2n ** 128n;

function base(r: Row, type: Anomaly["anomalyType"], nowMs: number) {
  return {
    anomalyId: anomalyId(type, String(r.owner_address), String(r.hash)),
    anomalyType: type,
    wallet: String(r.owner_address),
    transactionId: String(r.hash),
    transferId: null,
    occurredAtMs: Number(r.timestamp_ms),
    detectedAtMs: nowMs,
  };
}

/** The key sets a wallet had before `atMs`: the newest earlier permission change stored, if any. */
async function previousPermissions(w: Warehouse, wallet: string, atMs: number): Promise<PermissionSet | null> {
  const [prev] = await w.query<{ details: unknown }>(
    labelled(
      "risk.previous_permissions",
      sql`SELECT details FROM anomalies WHERE anomaly_type = 'permission_change' AND wallet = ${wallet}
        AND occurred_at_ms < ${atMs} ORDER BY occurred_at_ms DESC LIMIT 1`,
    ),
  );
  const d = jsonObject(prev?.details) as { after?: PermissionSet } | null;
  return d?.after ?? null;
}

async function permissionFinding(
  w: Warehouse,
  r: Row,
  nowMs: number,
  seen: Map<string, PermissionSet>,
): Promise<Anomaly | null> {
  const after = permissionUpdate(jsonObject(r.raw_text));
  if (!after) return null;
  const wallet = String(r.owner_address);
  const before = seen.get(wallet) ?? (await previousPermissions(w, wallet, Number(r.timestamp_ms)));
  seen.set(wallet, after);
  const was = before
    ? describePermissions(before)
    : "not known (the first change tronmon saw; a node's /wallet/getaccount shows the current ones)";
  return {
    ...base(r, "permission_change", nowMs),
    tokenId: null,
    tokenSymbol: null,
    amount: null,
    amountRaw: null,
    severity: "critical",
    reason: `The wallet's keys were replaced (AccountPermissionUpdateContract): now ${describePermissions(after)}; before: ${was}. If this was not you, the wallet may be taken over.`,
    details: { before, after },
  };
}

function approvalFinding(r: Row, risk: RiskSettings, decimals: Map<string, number>, nowMs: number): Anomaly | null {
  const call = approvalCall(jsonObject(r.raw_text));
  if (!call) return null;
  const wallet = String(r.owner_address);
  const allowed = [...(risk.approvals.allowed_spenders["*"] ?? []), ...(risk.approvals.allowed_spenders[wallet] ?? [])];
  if (allowed.includes(call.spender)) return null;
  const value = BigInt(call.valueRaw);
  const d = decimals.get(call.token) ?? wellKnownToken(call.token)?.decimals;
  const large = risk.approvals.large[call.token];
  const unlimited = value >= UNLIMITED;
  if (!unlimited && !(large !== undefined && d !== undefined && value >= parseUnits(large, d))) return null;
  const symbol = wellKnownToken(call.token)?.symbol ?? null;
  const amount = unlimited ? "unlimited" : d === undefined ? `${call.valueRaw} (raw)` : formatUnits(value, d);
  return {
    ...base(r, "large_approval", nowMs),
    tokenId: call.token,
    tokenSymbol: symbol,
    amount: unlimited || d === undefined ? null : amount,
    amountRaw: call.valueRaw,
    severity: "warning",
    reason: `${call.method} of ${amount} ${symbol ?? call.token} to ${call.spender}, a spender not on this wallet's allow-list: it can take these tokens at any time (drainer kits work this way) — revoke it if unknown.`,
    details: { ...call, unlimited },
  };
}

/** Screens the watched wallets' transactions loaded since the last time. */
export async function screenAccountChanges(w: Warehouse, risk: RiskSettings, nowMs: number) {
  const d = w.dialect;
  const [state] = await w.query<{ watermark_ms: string | null }>(
    labelled("risk.accounts_watermark", sql`SELECT watermark_ms FROM detector_state WHERE name = ${STATE}`),
  );
  const watermarkMs = state?.watermark_ms ? Number(state.watermark_ms) : -1;
  const [newest] = await w.query<{ ms: string | null }>(
    labelled("risk.accounts_newest", sql`SELECT ${raw(d.timestampToMs("max(first_seen_at)"))} AS ms FROM transactions`),
  );
  const text = raw(d.jsonText("x.raw"));
  const rows = await w.query<Row>(
    labelled(
      "risk.account_changes",
      sql`SELECT x.hash, x.owner_address, x.timestamp_ms, x.contract_type, ${text} AS raw_text
      FROM transactions x JOIN wallets w ON x.owner_address = w.address
      WHERE x.first_seen_at > ${spelled(d.msToTimestamp, watermarkMs)} AND x.status = 'success'
        AND (x.contract_type = 46 OR (x.contract_type = 31 AND (${text} LIKE '%095ea7b3%' OR ${text} LIKE '%d73dd623%')))
      ORDER BY x.timestamp_ms`,
    ),
  );
  const decimals = new Map<string, number>();
  for (const t of await w.tokens()) if (t.decimals !== null) decimals.set(t.tokenId, t.decimals);
  const found: Anomaly[] = [];
  const seen = new Map<string, PermissionSet>();
  for (const r of rows) {
    const f =
      Number(r.contract_type) === 46
        ? await permissionFinding(w, r, nowMs, seen)
        : approvalFinding(r, risk, decimals, nowMs);
    if (f) found.push(f);
  }
  const top = newest?.ms === null || newest?.ms === undefined ? watermarkMs : Number(newest.ms);
  await w.transaction(async (q) => {
    await saveAnomalies(w, q, found);
    if (top > watermarkMs)
      await q(
        labelled(
          "risk.accounts_set_watermark",
          prepared(d.upsertSql("detector_state", ["name", "watermark_ms"], ["name"], 1), [STATE, top]),
        ),
      );
  });
  const counts: Record<string, number> = {};
  for (const a of found) counts[a.anomalyType] = (counts[a.anomalyType] ?? 0) + 1;
  return counts;
}
