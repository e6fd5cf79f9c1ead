// Tether's USDT blacklist in the warehouse: every AddedBlackList, RemovedBlackList and DestroyedBlackFunds event
// kept once (tether_events, keyed by transaction, kind and address), from whichever path saw it first (the block
// follower or the TronGrid backfill), and the tether-frozen list rebuilt from them. An address's state is replayed
// from all its stored events in chain order, so events arriving late or twice, or older than those already
// applied, give the same list and the same destroyed amounts.
import { TETHER_LIST } from "../config/risk-schema.ts";
import { jsonObject } from "../internal/json.ts";
import { formatUnits } from "../model/amount.ts";
import type { BlacklistEvent } from "../model/rows.ts";
import { applyListChanges, type NewEntry } from "./risk-lists.ts";
import { labelled, list, prepared, sql } from "./sql.ts";
import type { Dialect, Query } from "./types.ts";

const EVENT_COLUMNS = ["transaction_id", "kind", "address", "block", "timestamp_ms", "amount_raw", "source"] as const;
type Stored = { transaction_id: string; kind: string; address: string; block: unknown; timestamp_ms: unknown };
type StoredRow = Stored & { amount_raw: unknown };

const keyOf = (e: { transactionId: string; kind: string; address: string }) =>
  `${e.transactionId}|${e.kind}|${e.address}`;
const fromRow = (r: StoredRow): BlacklistEvent => ({
  kind: r.kind as BlacklistEvent["kind"],
  address: r.address,
  transactionId: r.transaction_id,
  block: Number(r.block),
  timestampMs: Number(r.timestamp_ms),
  amountRaw: r.amount_raw === null || r.amount_raw === undefined ? null : String(r.amount_raw),
});
const ORDER: Record<BlacklistEvent["kind"], number> = { added: 0, destroyed: 1, removed: 2 };
const chainOrder = (a: BlacklistEvent, b: BlacklistEvent) =>
  a.block - b.block || a.timestampMs - b.timestampMs || ORDER[a.kind] - ORDER[b.kind];

type Frozen = { frozen: boolean; details: Record<string, unknown>; listedAtMs: number; removedAtMs?: number };

/** One event on an address's state (events replayed in chain order). */
function replay(state: Map<string, Frozen>, e: BlacklistEvent) {
  const s = state.get(e.address);
  const at = { tx: e.transactionId, block: e.block, at: new Date(e.timestampMs).toISOString() };
  if (e.kind === "added" && !s?.frozen)
    state.set(e.address, { frozen: true, listedAtMs: e.timestampMs, details: { frozen: at } });
  else if (e.kind === "removed" && s?.frozen) state.set(e.address, { ...s, frozen: false, removedAtMs: e.timestampMs });
  else if (e.kind === "destroyed") {
    // a balance destroyed proves the address frozen, even when the freeze came before the events known
    const base = s?.frozen ? s : { frozen: true, listedAtMs: e.timestampMs, details: { frozen_before: at } };
    const raw = (BigInt(String(base.details.destroyed_raw ?? "0")) + BigInt(e.amountRaw ?? "0")).toString();
    state.set(e.address, {
      ...base,
      details: { ...base.details, destroyed_raw: raw, destroyed_usdt: formatUnits(BigInt(raw), 6), destroyed: at },
    });
  }
}

/** The events not stored yet (each once, even when a batch holds it twice), stored with their source. */
async function storeNew(d: Dialect, q: Query, events: BlacklistEvent[], source: string) {
  const unique = [...new Map(events.map((e) => [keyOf(e), e])).values()];
  const ids = [...new Set(unique.map((e) => e.transactionId))];
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await q<Stored>(
      labelled(
        "tether.known_events",
        sql`SELECT transaction_id, kind, address FROM tether_events WHERE transaction_id IN (${list(ids.slice(i, i + 500))})`,
      ),
    );
    for (const r of rows) known.add(`${r.transaction_id}|${r.kind}|${r.address}`);
  }
  const fresh = unique.filter((e) => !known.has(keyOf(e)));
  for (let i = 0; i < fresh.length; i += 200) {
    const chunk = fresh.slice(i, i + 200);
    const text = d.insertMissingSql(
      "tether_events",
      [...EVENT_COLUMNS],
      ["transaction_id", "kind", "address"],
      chunk.length,
    );
    const params = chunk.flatMap((e) => [
      e.transactionId,
      e.kind,
      e.address,
      e.block,
      e.timestampMs,
      e.amountRaw,
      source,
    ]);
    await q(labelled("tether.add_events", prepared(text, params)));
  }
  return fresh;
}

/** Every stored event of these addresses, in chain order. */
async function eventsOf(q: Query, addresses: string[]) {
  const out: BlacklistEvent[] = [];
  for (let i = 0; i < addresses.length; i += 500) {
    const rows = await q<StoredRow>(
      labelled(
        "tether.events_of",
        sql`SELECT * FROM tether_events WHERE address IN (${list(addresses.slice(i, i + 500))})`,
      ),
    );
    out.push(...rows.map(fromRow));
  }
  return out.sort(chainOrder);
}

/**
 * Tether's blacklist events, from the follower (inside the load's transaction, with the block cursor) or the
 * backfill (with its coverage): the new ones stored, and the tether-frozen list's next version from the state they
 * leave: frozen addresses added (listed at the freeze, with its transaction), unfrozen ones removed, destroyed
 * balances kept on the entry. Events already stored change nothing.
 */
export async function applyBlacklist(d: Dialect, q: Query, events: BlacklistEvent[], nowMs: number, source = "blocks") {
  if (!events.length) return null;
  const fresh = await storeNew(d, q, events, source);
  if (!fresh.length) return null;
  const addresses = [...new Set(fresh.map((e) => e.address))];
  const rows = await q<{ address: string; details: unknown; listed_at_ms: unknown }>(
    labelled(
      "risk.frozen_entries",
      sql`SELECT address, details, listed_at_ms FROM risk_entries WHERE list_name = ${TETHER_LIST} AND removed_version IS NULL
        AND address IN (${list(addresses)})`,
    ),
  );
  const before = new Map(rows.map((r) => [r.address, { details: jsonObject(r.details), at: Number(r.listed_at_ms) }]));
  const all = await eventsOf(q, addresses);
  const state = new Map<string, Frozen>();
  // an entry whose address has no event stored before this call came from before the event log (migration 13)
  const freshKeys = new Set(fresh.map(keyOf));
  const logged = new Set(all.filter((e) => !freshKeys.has(keyOf(e))).map((e) => e.address));
  for (const [address, w] of before)
    if (!logged.has(address)) state.set(address, { frozen: true, details: w.details, listedAtMs: w.at });
  for (const e of all) replay(state, e);
  const freshAdds = new Set(fresh.filter((e) => e.kind !== "removed").map((e) => e.address));
  const add: NewEntry[] = [];
  const remove: { address: string; atMs: number }[] = [];
  const details: { address: string; details: Record<string, unknown>; listedAtMs: number }[] = [];
  for (const address of addresses) {
    const s = state.get(address);
    const was = before.get(address);
    if (!s) continue;
    const entry = { address, category: "tether-frozen", note: null, listedAtMs: s.listedAtMs, details: s.details };
    if (s.frozen && !was) add.push(entry);
    else if (!s.frozen && was) remove.push({ address, atMs: s.removedAtMs ?? nowMs });
    else if (!s.frozen && freshAdds.has(address)) {
      // frozen and unfrozen, both newly known: on record, added and removed by one version
      add.push(entry);
      remove.push({ address, atMs: s.removedAtMs ?? nowMs });
    } else if (
      s.frozen &&
      was &&
      (JSON.stringify(was.details) !== JSON.stringify(s.details) || was.at !== s.listedAtMs)
    )
      details.push({ address, details: s.details, listedAtMs: s.listedAtMs });
  }
  const last = fresh.reduce((a, b) => (chainOrder(a, b) >= 0 ? a : b));
  return applyListChanges(d, q, {
    name: TETHER_LIST,
    kind: "tether",
    source:
      source === "blocks"
        ? `USDT contract logs (AddedBlackList, RemovedBlackList, DestroyedBlackFunds) up to block ${last.block}`
        : `${source}: USDT blacklist events up to block ${last.block}`,
    retrievedAtMs: last.timestampMs,
    nowMs,
    add,
    remove,
    details,
  });
}

const BACKFILL_COLUMNS = ["run_at_ms", "from_ms", "to_ms", "events_seen", "events_new", "requests", "source"];

/** A TronGrid backfill's events applied, with the window it proved complete (inside the caller's transaction). */
export async function applyBackfill(
  d: Dialect,
  q: Query,
  events: BlacklistEvent[],
  w: { fromMs: number; toMs: number; nowMs: number; requests: number },
) {
  const count = async () =>
    Number((await q<{ n: unknown }>(labelled("tether.count", sql`SELECT count(*) AS n FROM tether_events`)))[0].n);
  const before = await count();
  const version = await applyBlacklist(d, q, events, w.nowMs, "TronGrid /v1/contracts/{USDT}/events");
  const stored = (await count()) - before;
  const text = d.insertMissingSql("tether_backfills", BACKFILL_COLUMNS, ["run_at_ms"], 1);
  const params = [w.nowMs, w.fromMs, w.toMs, events.length, stored, w.requests, "trongrid"];
  await q(labelled("tether.backfill", prepared(text, params)));
  return { version, stored };
}
