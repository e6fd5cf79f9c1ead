// The desk's reads: the triage queue (alerts and findings together), the wallets page, search, one transaction's
// every movement, one counterparty's dealings with the watched wallets, suppressions and the precision report.
import { type Alert, alertSeverity } from "../model/alerts.ts";
import { imitatedId } from "../model/tokens.ts";
import { formatUnits } from "../model/amount.ts";
import { type Severity, severityRank } from "../model/severity.ts";
import { isoOrNull as iso } from "../model/time.ts";
import { atLeastSeverity } from "../anomalies/anomaly-store.ts";
import { isAddress } from "../model/address.ts";
import { labelled, raw, sql } from "../warehouse/sql.ts";
import type { Warehouse } from "../warehouse/types.ts";
import { walletTransfers } from "../warehouse/activity/wallet-side.ts";
import { dispositionReport, listSuppressions } from "../warehouse/triage.ts";

type Row = Record<string, string | number | boolean | null>;
const flagOf = (r: Row) => imitatedId(r.token_id, r.token_symbol, r.token_name);
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

export type QueueFilter = { wallet?: string; min_severity: Severity; kind?: "alert" | "finding"; limit: number };

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
            WHERE a.reviewed_at_ms IS NULL AND a.suppressed_by IS NULL AND ${atLeastSeverity(f.min_severity, "a.")} AND ${wallet}
            ORDER BY COALESCE(a.occurred_at_ms, a.detected_at_ms) DESC LIMIT ${f.limit}`,
          ),
        );
  const items = [
    ...alerts
      .filter((a) => severityRank(alertSeverity(a.kind as Alert["kind"])) >= severityRank(f.min_severity))
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
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      b.time_ms - a.time_ms ||
      String(a.id).localeCompare(String(b.id)),
  );
  return items.slice(0, f.limit);
}

/** Every watched wallet: label, last activity, what is synced, open alerts, findings still to review. */
export async function walletsPage(w: Warehouse, profiles: Record<string, string | null>) {
  // one grouped pass over each table (not a subquery per wallet, which would read wallet_history once per wallet)
  const rows = await w.query<Row>(
    labelled(
      "desk.wallets",
      sql`SELECT w.address, w.label, c.synced_to_ms, c.backfilling, h.last_activity_ms,
        COALESCE(a.open_alerts, 0) AS open_alerts, COALESCE(f.open_findings, 0) AS open_findings,
        COALESCE(f.findings, 0) AS findings
      FROM wallets w
      LEFT JOIN (SELECT wallet, min(synced_to_ms) AS synced_to_ms,
          sum(CASE WHEN synced_to_ms IS NULL THEN 1 ELSE 0 END) AS backfilling FROM sync_cursors GROUP BY wallet) c
        ON c.wallet = w.address
      LEFT JOIN (SELECT wallet, max(timestamp_ms) AS last_activity_ms FROM wallet_history GROUP BY wallet) h
        ON h.wallet = w.address
      LEFT JOIN (SELECT wallet, count(*) AS open_alerts FROM alerts WHERE status IN ('open', 'acknowledged')
          GROUP BY wallet) a ON a.wallet = w.address
      LEFT JOIN (SELECT wallet, count(*) AS findings, sum(CASE WHEN reviewed_at_ms IS NULL
            AND severity IN ('warning', 'critical') THEN 1 ELSE 0 END) AS open_findings FROM anomalies GROUP BY wallet) f
        ON f.wallet = w.address
      ORDER BY COALESCE(w.label, w.address)`,
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
      ? { ...tx, time: iso(tx.timestamp_ms), fee_trx: tx.fee === null ? null : formatUnits(BigInt(String(tx.fee)), 6) }
      : null,
    movements: moves.map((m) => ({ ...m, time: iso(m.timestamp_ms), imitates: flagOf(m) })),
    findings,
  };
}

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
