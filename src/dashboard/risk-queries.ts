// The Risk page's reads: the lists and their latest versions, the screening's findings by list (open and resolved),
// exposure per wallet and token, and the watched wallets' counterparties Tether froze. Exact amounts in BigInt.
import { isoOrNull } from "../model/time.ts";
import { jsonObject } from "../internal/json.ts";
import { TETHER_LIST } from "../config/risk-schema.ts";
import { formatUnits } from "../model/amount.ts";
import { RISK_FINDING_TYPES } from "../model/anomaly-types.ts";
import { USDT_CONTRACT } from "../model/tokens.ts";
import { walletExposure } from "../warehouse/activity/exposure.ts";
import { walletTransfers } from "../warehouse/activity/wallet-side.ts";
import { listVersions } from "../warehouse/risk-lists.ts";
import { labelled, list, raw, sql } from "../warehouse/sql.ts";
import type { Warehouse } from "../warehouse/types.ts";

type Row = Record<string, string | number | boolean | null>;
const iso = isoOrNull;
const units = (raw: unknown, decimals: unknown) =>
  raw === null || raw === undefined ? null : formatUnits(BigInt(String(raw).split(".")[0]), Number(decimals ?? 0));

/** The latest version of each list. */
async function lists(w: Warehouse) {
  const seen = new Set<string>();
  return (await listVersions(w))
    .filter((v) => !seen.has(v.list_name) && seen.add(v.list_name))
    .map((v) => ({
      name: v.list_name,
      kind: v.kind,
      version: Number(v.version),
      entries: Number(v.entry_count),
      retrieved_at: iso(v.retrieved_at_ms),
      loaded_at: iso(v.imported_at_ms),
      screened: v.screened_at_ms !== null,
      source: v.source,
    }));
}

/** The screening's findings, per list: open and resolved, and the newest ones. */
async function findings(w: Warehouse) {
  const rows = await w.query<Row>(
    labelled(
      "dashboard.risk_findings",
      sql`SELECT anomaly_id, anomaly_type, severity, wallet, transaction_id, token_id, token_symbol, amount, reason,
        details, occurred_at_ms, detected_at_ms, reviewed_by FROM anomalies
      WHERE anomaly_type IN (${list([...RISK_FINDING_TYPES])}) ORDER BY detected_at_ms DESC, occurred_at_ms DESC LIMIT 5000`,
    ),
  );
  const byList = new Map<string, { list: string; open: number; resolved: number; wallets: Set<string> }>();
  for (const r of rows) {
    // permission changes and approvals are about the wallet itself, not a list
    const name = String(jsonObject(r.details).list ?? "own account (keys, approvals)");
    const b = byList.get(name) ?? { list: name, open: 0, resolved: 0, wallets: new Set<string>() };
    if (r.reviewed_by === null) b.open++;
    else b.resolved++;
    b.wallets.add(String(r.wallet));
    byList.set(name, b);
  }
  return {
    byList: [...byList.values()].map((b) => ({
      list: b.list,
      open: b.open,
      resolved: b.resolved,
      wallets: b.wallets.size,
    })),
    latest: rows.slice(0, 100).map(({ details, ...r }) => ({
      ...r,
      list: jsonObject(details).list ?? null,
      occurred_at: iso(r.occurred_at_ms),
      detected_at: iso(r.detected_at_ms),
    })),
  };
}

/** Counterparties of watched wallets on Tether's blacklist: since when, what moved between them, what was destroyed. */
async function frozenCounterparties(w: Warehouse) {
  const moves = walletTransfers({
    select: raw("t.token_id, t.amount_num, t.timestamp_ms"),
    where: raw(`t.status = 'success'`),
  });
  const rows = await w.query<Row>(
    labelled(
      "dashboard.risk_frozen",
      sql`SELECT m.wallet, m.counterparty AS address, e.listed_at_ms, count(*) AS transfers,
        sum(CASE WHEN m.direction = 'in' AND m.token_id = ${USDT_CONTRACT} THEN m.amount_num END) AS usdt_in_raw,
        sum(CASE WHEN m.direction = 'out' AND m.token_id = ${USDT_CONTRACT} THEN m.amount_num END) AS usdt_out_raw,
        max(m.timestamp_ms) AS last_ms
      FROM (${moves}) m JOIN risk_entries e ON e.list_name = ${TETHER_LIST} AND e.address = m.counterparty
        AND e.removed_version IS NULL
      GROUP BY m.wallet, m.counterparty, e.listed_at_ms ORDER BY e.listed_at_ms DESC LIMIT 500`,
    ),
  );
  const addresses = [...new Set(rows.map((r) => String(r.address)))];
  const details = new Map<string, Record<string, unknown>>();
  if (addresses.length)
    for (const d of await w.query<Row>(
      labelled(
        "dashboard.risk_frozen_details",
        sql`SELECT address, details FROM risk_entries WHERE list_name = ${TETHER_LIST} AND removed_version IS NULL
          AND address IN (${list(addresses)})`,
      ),
    ))
      details.set(String(d.address), jsonObject(d.details));
  return rows.map((r) => {
    const d = details.get(String(r.address)) ?? {};
    const frozen = (d.frozen ?? d.frozen_before ?? {}) as { tx?: string };
    return {
      wallet: r.wallet,
      address: r.address,
      frozen_at: iso(r.listed_at_ms),
      freeze_tx: frozen.tx ?? null,
      destroyed_usdt: (d.destroyed_usdt as string | undefined) ?? null,
      transfers: Number(r.transfers),
      usdt_in: units(r.usdt_in_raw, 6) ?? "0",
      usdt_out: units(r.usdt_out_raw, 6) ?? "0",
      last_movement: iso(r.last_ms),
    };
  });
}

/** Everything the Risk page shows, at `nowMs` (the exposure's 30-day window ends there). */
export async function riskPage(w: Warehouse, nowMs: number) {
  const exposure = (await walletExposure(w, nowMs))
    .filter((e) => e.listed_transfers > 0)
    .map((e) => ({
      wallet: e.wallet,
      token_id: e.token_id,
      token_symbol: e.token_symbol,
      listed_30d: units(e.listed_raw_recent, e.token_decimals) ?? "0",
      share_30d: e.share_recent,
      transfers_30d: e.listed_transfers_recent,
      listed_all: units(e.listed_raw, e.token_decimals) ?? "0",
      share_all: e.share,
      transfers_all: e.listed_transfers,
    }));
  return { lists: await lists(w), findings: await findings(w), exposure, frozen: await frozenCounterparties(w) };
}
