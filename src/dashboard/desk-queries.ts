// The desk's reads: the triage queue (alerts and findings together), the wallets page, search, one transaction's
// every movement, one counterparty's dealings with the watched wallets, suppressions and the precision report.
import { type Alert, alertSeverity } from "../model/alerts.ts";
import { imitatedToken } from "../model/tokens.ts";
import { isAddress } from "../model/address.ts";
import { labelled, raw, sql } from "../warehouse/sql.ts";
import type { Warehouse } from "../warehouse/types.ts";
import { walletTransfers } from "../warehouse/activity/wallet-side.ts";
import { dispositionReport, listSuppressions } from "../warehouse/triage.ts";
import { atLeast } from "./queries.ts";

type Row = Record<string, string | number | boolean | null>;
const iso = (ms: unknown) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());
const RANK: Record<string, number> = { critical: 3, warning: 2, info: 1 };
const flagOf = (r: Row) =>
  r.token_id
    ? (imitatedToken(String(r.token_id), r.token_symbol as string | null, (r.token_name as string) ?? null)?.tokenId ??
      null)
    : null;

/** The watched wallet a label names (case and spaces aside), or null. */
export async function walletByLabel(w: Warehouse, label: string): Promise<string | null> {
  const rows = await w.query<{ address: string }>(
    labelled(
      "desk.wallet_by_label",
      sql`SELECT address FROM wallets WHERE lower(trim(label)) = ${label.trim().toLowerCase()}`,
    ),
  );
  return rows.length === 1 ? rows[0].address : null;
}

export type QueueFilter = { wallet?: string; min_severity: string; kind?: "alert" | "finding"; limit: number };

/**
 * One queue: active alerts and findings not yet reviewed (nor suppressed), most severe first, then newest — with
 * the wallet's label. Health alerts are critical, rule alerts warnings; findings carry their own severity.
 */
export async function triageQueue(w: Warehouse, f: QueueFilter) {
  const wallet = f.wallet === undefined ? sql`TRUE` : sql`a.wallet = ${f.wallet}`;
  const alerts =
    f.kind === "finding"
      ? []
      : await w.query<Row>(
          labelled(
            "desk.queue_alerts",
            sql`SELECT a.alert_id, a.rule_name, a.kind, a.wallet, l.label, a.status, a.value, a.threshold, a.token_symbol,
              a.first_seen_ms, a.last_seen_ms, a.note, a.acted_by
            FROM alerts a LEFT JOIN wallets l ON l.address = a.wallet
            WHERE a.status IN ('open', 'acknowledged') AND ${wallet} ORDER BY a.first_seen_ms DESC LIMIT ${f.limit}`,
          ),
        );
  const findings =
    f.kind === "alert"
      ? []
      : await w.query<Row>(
          labelled(
            "desk.queue_findings",
            sql`SELECT a.anomaly_id, a.anomaly_type, a.severity, a.wallet, l.label, a.transaction_id, a.token_id,
              a.token_symbol, a.amount, a.reason, a.occurred_at_ms, a.detected_at_ms
            FROM anomalies a LEFT JOIN wallets l ON l.address = a.wallet
            WHERE a.reviewed_at_ms IS NULL AND a.suppressed_by IS NULL AND ${atLeast(f.min_severity, "a.")} AND ${wallet}
            ORDER BY COALESCE(a.occurred_at_ms, a.detected_at_ms) DESC LIMIT ${f.limit}`,
          ),
        );
  const items = [
    ...alerts
      .filter((a) => RANK[alertSeverity(a.kind as Alert["kind"])] >= RANK[f.min_severity])
      .map((a) => ({
        kind: "alert" as const,
        id: a.alert_id,
        severity: alertSeverity(a.kind as Alert["kind"]),
        what: a.rule_name,
        wallet: a.wallet,
        label: a.label,
        status: a.status,
        value: a.value,
        threshold: a.threshold,
        unit: a.token_symbol,
        time: iso(a.first_seen_ms),
        time_ms: Number(a.first_seen_ms),
        detail: a.note,
        transaction_id: null,
      })),
    ...findings.map((r) => ({
      kind: "finding" as const,
      id: r.anomaly_id,
      severity: String(r.severity ?? "warning"),
      what: r.anomaly_type,
      wallet: r.wallet,
      label: r.label,
      status: "open",
      value: r.amount,
      threshold: null,
      unit: r.token_symbol,
      imitates: flagOf(r),
      time: iso(r.occurred_at_ms ?? r.detected_at_ms),
      time_ms: Number(r.occurred_at_ms ?? r.detected_at_ms),
      detail: r.reason,
      transaction_id: r.transaction_id,
    })),
  ];
  items.sort(
    (a, b) => RANK[b.severity] - RANK[a.severity] || b.time_ms - a.time_ms || String(a.id).localeCompare(String(b.id)),
  );
  return items.slice(0, f.limit);
}

/** Every watched wallet: label, last activity, what is synced, open alerts, findings still to review. */
export async function walletsPage(w: Warehouse, profiles: Record<string, string | null>) {
  const rows = await w.query<Row>(
    labelled(
      "desk.wallets",
      sql`SELECT w.address, w.label,
        (SELECT min(c.synced_to_ms) FROM sync_cursors c WHERE c.wallet = w.address) AS synced_to_ms,
        (SELECT count(*) FROM sync_cursors c WHERE c.wallet = w.address AND c.synced_to_ms IS NULL) AS backfilling,
        (SELECT max(h.timestamp_ms) FROM wallet_history h WHERE h.wallet = w.address) AS last_activity_ms,
        (SELECT count(*) FROM alerts a WHERE a.wallet = w.address AND a.status IN ('open', 'acknowledged')) AS open_alerts,
        (SELECT count(*) FROM anomalies a WHERE a.wallet = w.address AND a.reviewed_at_ms IS NULL
          AND a.severity IN ('warning', 'critical')) AS open_findings,
        (SELECT count(*) FROM anomalies a WHERE a.wallet = w.address) AS findings
      FROM wallets w ORDER BY COALESCE(w.label, w.address)`,
    ),
  );
  return rows.map((r) => ({
    address: r.address,
    label: r.label,
    profile: profiles[String(r.address)] ?? null,
    synced_to: Number(r.backfilling) > 0 ? null : iso(r.synced_to_ms),
    last_activity: iso(r.last_activity_ms),
    open_alerts: Number(r.open_alerts),
    open_findings: Number(r.open_findings),
    findings: Number(r.findings),
  }));
}

const TX_HASH = /^[0-9a-fA-F]{64}$/;

/** Where a search leads: a watched wallet (address or label), a transaction, another address, or nothing. */
export async function search(w: Warehouse, q: string) {
  const v: string = q.trim();
  if (isAddress(v as unknown)) {
    const [watched] = await w.query(
      labelled("desk.search_wallet", sql`SELECT 1 AS x FROM wallets WHERE address = ${v}`),
    );
    return { kind: watched ? ("wallet" as const) : ("address" as const), target: v };
  }
  if (TX_HASH.test(v)) {
    const hash = v.toLowerCase();
    const [known] = await w.query(
      labelled(
        "desk.search_tx",
        sql`SELECT 1 AS x FROM transactions WHERE hash = ${hash} UNION ALL SELECT 1 FROM transfers WHERE transaction_id = ${hash}`,
      ),
    );
    return { kind: known ? ("transaction" as const) : ("none" as const), target: hash };
  }
  const byLabel = v ? await walletByLabel(w, v) : null;
  return byLabel ? { kind: "wallet" as const, target: byLabel } : { kind: "none" as const, target: v };
}

/** One transaction as stored: the record (when known in full), every movement, the findings about it. */
export async function transactionPage(w: Warehouse, hash: string) {
  const [tx] = await w.query<Row>(
    labelled(
      "desk.tx",
      sql`SELECT hash, block, timestamp_ms, owner_address, to_address, contract_type_name, status, contract_ret,
        confirmed, CAST(fee AS VARCHAR) AS fee, detail FROM transactions WHERE hash = ${hash}`,
    ),
  );
  const moves = await w.query<Row>(
    labelled(
      "desk.tx_moves",
      sql`SELECT t.transfer_id, t.timestamp_ms, t.from_address, t.to_address, t.asset_type, t.token_id, t.token_symbol,
        t.token_name, t.amount, t.amount_raw, t.status, t.confirmed, t.source, t.risk,
        lf.label AS from_label, lt.label AS to_label
      FROM transfers t LEFT JOIN wallets lf ON lf.address = t.from_address LEFT JOIN wallets lt ON lt.address = t.to_address
      WHERE t.transaction_id = ${hash} ORDER BY t.transfer_id`,
    ),
  );
  const findings = await w.query<Row>(
    labelled(
      "desk.tx_findings",
      sql`SELECT anomaly_id, anomaly_type, severity, wallet, amount, token_symbol, reason, reviewed_by
      FROM anomalies WHERE transaction_id = ${hash} ORDER BY anomaly_id`,
    ),
  );
  if (!tx && !moves.length) return null;
  return {
    hash,
    transaction: tx
      ? { ...tx, time: iso(tx.timestamp_ms), fee_trx: tx.fee === null ? null : sunToTrx(String(tx.fee)) }
      : null,
    movements: moves.map((m) => ({ ...m, time: iso(m.timestamp_ms), imitates: flagOf(m) })),
    findings,
  };
}

/** Sun (an integer string) as TRX, exactly. */
const sunToTrx = (sun: string) => {
  const s = sun.padStart(7, "0");
  const frac = s.slice(-6).replace(/0+$/, "");
  return s.slice(0, -6) + (frac ? `.${frac}` : "");
};

/** An address that is not watched: its movements with the watched wallets (newest 200), the lists that name it. */
export async function addressPage(w: Warehouse, address: string) {
  const moves = await w.query<Row>(
    labelled(
      "desk.address_moves",
      sql`SELECT * FROM (${walletTransfers({
        select: raw(`t.transaction_id, t.timestamp_ms, t.token_id, t.token_symbol, t.token_name, t.amount, t.status`),
        where: sql`(t.from_address = ${address} OR t.to_address = ${address})`,
      })}) m ORDER BY timestamp_ms DESC LIMIT 200`,
    ),
  );
  const listed = await w.query<Row>(
    labelled(
      "desk.address_lists",
      sql`SELECT list_name, category, note, listed_at_ms FROM risk_entries
      WHERE address = ${address} AND removed_version IS NULL ORDER BY list_name`,
    ),
  );
  return {
    address,
    movements: moves.map((m) => ({ ...m, time: iso(m.timestamp_ms), imitates: flagOf(m) })),
    listed: listed.map((l) => ({ ...l, listed_at: iso(l.listed_at_ms) })),
  };
}

/** The decisions page: suppressions in force and the precision per rule and detector. */
export async function decisions(w: Warehouse, nowMs: number) {
  const [suppressions, precision] = await Promise.all([listSuppressions(w, nowMs), dispositionReport(w)]);
  return {
    suppressions: suppressions.map((s) => ({ ...s, until: iso(s.untilMs), created_at: iso(s.createdAtMs) })),
    precision,
  };
}
