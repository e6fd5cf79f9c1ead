// Risk lists in the warehouse: each load of a list that changed it is a new version (what it added, what it
// removed, the content's hash), written with its entries in one transaction. Loading the same content again
// writes nothing. An entry keeps the version that added it and the one that removed it.
import { createHash } from "node:crypto";
import { labelled, list, prepared, sql } from "./sql.ts";
import type { Dialect, Query, Warehouse } from "./types.ts";

export type RiskKind = "sanctions" | "tether" | "custom";
export type NewEntry = {
  address: string;
  category: string;
  note: string | null;
  /** When the address was listed, if the source says (Tether: the freeze's block time); else the version's time. */
  listedAtMs?: number;
  details?: Record<string, unknown> | null;
};
export type ListVersion = {
  list_name: string;
  version: number;
  kind: string;
  source: string | null;
  retrieved_at_ms: number;
  imported_at_ms: number;
  content_hash: string;
  entry_count: number;
  added_count: number;
  removed_count: number;
  screened_at_ms: number | null;
};
export type VersionResult = {
  name: string;
  version: number;
  added: number;
  removed: number;
  entries: number;
  unchanged: boolean;
};

const ENTRY_COLUMNS = ["list_name", "address", "category", "note", "added_version", "listed_at_ms", "details"] as const;
const LIST_COLUMNS = [
  "list_name",
  "version",
  "kind",
  "source",
  "retrieved_at_ms",
  "imported_at_ms",
  "content_hash",
  "entry_count",
  "added_count",
  "removed_count",
] as const;

/** The hash of a list's content: its sorted entries (address, category, note). */
export function contentHash(entries: readonly { address: string; category: string; note: string | null }[]): string {
  const lines = entries.map((e) => `${e.address}\t${e.category}\t${e.note ?? ""}`).sort();
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}

type Active = { address: string; category: string; note: string | null; added_version: number };

async function latest(q: Query, name: string) {
  const [v] = await q<{ version: number; content_hash: string }>(
    labelled(
      "risk.latest_version",
      sql`SELECT version, content_hash FROM risk_lists WHERE list_name = ${name} ORDER BY version DESC LIMIT 1`,
    ),
  );
  return v ? { version: Number(v.version), hash: v.content_hash } : { version: 0, hash: null };
}

const activeOf = (q: Query, name: string) =>
  q<Active>(
    labelled(
      "risk.active_entries",
      sql`SELECT address, category, note, added_version FROM risk_entries WHERE list_name = ${name} AND removed_version IS NULL`,
    ),
  );

export type Change = {
  name: string;
  kind: RiskKind;
  source: string | null;
  retrievedAtMs: number;
  nowMs: number;
  add: NewEntry[];
  remove: { address: string; atMs: number }[];
  /** Category or note changed for entries kept. */
  update?: NewEntry[];
};

/** Writes one version: its added and removed entries and the list row (inside the caller's transaction). */
async function writeVersion(d: Dialect, q: Query, c: Change, prev: number, hash: string, count: number) {
  const version = prev + 1;
  for (let i = 0; i < c.add.length; i += 200) {
    const chunk = c.add.slice(i, i + 200);
    const text = d.insertMissingSql(
      "risk_entries",
      [...ENTRY_COLUMNS],
      ["list_name", "address", "added_version"],
      chunk.length,
      { json: ["details"] },
    );
    const params = chunk.flatMap((e) => [
      c.name,
      e.address,
      e.category,
      e.note,
      version,
      e.listedAtMs ?? c.retrievedAtMs,
      e.details ? JSON.stringify(e.details) : null,
    ]);
    await q(labelled("risk.add_entries", prepared(text, params)));
  }
  for (const r of c.remove)
    await q(
      labelled(
        "risk.remove_entry",
        sql`UPDATE risk_entries SET removed_version = ${version}, removed_at_ms = ${r.atMs}
        WHERE list_name = ${c.name} AND address = ${r.address} AND removed_version IS NULL`,
      ),
    );
  for (const u of c.update ?? [])
    await q(
      labelled(
        "risk.update_entry",
        sql`UPDATE risk_entries SET category = ${u.category}, note = ${u.note}
        WHERE list_name = ${c.name} AND address = ${u.address} AND removed_version IS NULL`,
      ),
    );
  const text = d.insertMissingSql("risk_lists", [...LIST_COLUMNS], ["list_name", "version"], 1);
  const params = [
    c.name,
    version,
    c.kind,
    c.source,
    c.retrievedAtMs,
    c.nowMs,
    hash,
    count,
    c.add.length,
    c.remove.length,
  ];
  await q(labelled("risk.add_version", prepared(text, params)));
  return version;
}

/**
 * Loads a list's full content as its next version: adds what is new, removes what is gone, in one transaction.
 * The same content as the latest version writes nothing (`unchanged`).
 */
export async function importListVersion(
  w: Warehouse,
  a: { name: string; kind: RiskKind; source: string | null; retrievedAtMs: number; nowMs: number; entries: NewEntry[] },
): Promise<VersionResult> {
  const hash = contentHash(a.entries);
  return w.transaction(async (q) => {
    const prev = await latest(q, a.name);
    if (prev.hash === hash)
      return { name: a.name, version: prev.version, added: 0, removed: 0, entries: a.entries.length, unchanged: true };
    const active = new Map((await activeOf(q, a.name)).map((e) => [e.address, e]));
    const incoming = new Map(a.entries.map((e) => [e.address, e]));
    const add = a.entries.filter((e) => !active.has(e.address));
    const remove = [...active.keys()]
      .filter((x) => !incoming.has(x))
      .map((address) => ({ address, atMs: a.retrievedAtMs }));
    const update = a.entries.filter((e) => {
      const was = active.get(e.address);
      return was && (was.category !== e.category || (was.note ?? null) !== (e.note ?? null));
    });
    const version = await writeVersion(
      w.dialect,
      q,
      { ...a, add, remove, update },
      prev.version,
      hash,
      a.entries.length,
    );
    return {
      name: a.name,
      version,
      added: add.length,
      removed: remove.length,
      entries: a.entries.length,
      unchanged: false,
    };
  });
}

/**
 * A list kept by events (Tether's freezes): the changes of one batch as the next version, inside the caller's
 * transaction (the block cursor's). Additions of addresses already listed and removals of unlisted ones are dropped.
 */
export async function applyListChanges(
  d: Dialect,
  q: Query,
  c: Change & { details?: { address: string; details: Record<string, unknown>; listedAtMs: number }[] },
): Promise<VersionResult | null> {
  const prev = await latest(q, c.name);
  const active = new Map((await activeOf(q, c.name)).map((e) => [e.address, e]));
  const add = c.add.filter((e) => !active.has(e.address));
  // an address added and removed by the same change (frozen, then unfrozen, within one load) keeps both
  const remove = c.remove.filter((r) => active.has(r.address) || add.some((e) => e.address === r.address));
  for (const e of add) active.set(e.address, { ...e, added_version: prev.version + 1 });
  for (const r of remove) active.delete(r.address);
  let version = prev.version;
  if (add.length || remove.length) {
    const hash = contentHash([...active.values()]);
    version = await writeVersion(d, q, { ...c, add, remove }, prev.version, hash, active.size);
  }
  for (const x of c.details ?? [])
    await q(
      labelled(
        "risk.entry_details",
        sql`UPDATE risk_entries SET details = ${JSON.stringify(x.details)}, listed_at_ms = ${x.listedAtMs}
        WHERE list_name = ${c.name} AND address = ${x.address} AND removed_version IS NULL`,
      ),
    );
  if (!add.length && !remove.length) return null;
  return { name: c.name, version, added: add.length, removed: remove.length, entries: active.size, unchanged: false };
}

/** Every version of every list, newest first within a list. */
export const listVersions = (w: Warehouse) =>
  w.query<ListVersion>(labelled("risk.versions", sql`SELECT * FROM risk_lists ORDER BY list_name, version DESC`));

export type DiffEntry = { address: string; category: string; note: string | null; listed_at_ms: number };

/** What version `to` of a list added and removed compared with version `from` (default: the one before `to`). */
export async function diffVersions(w: Warehouse, name: string, from?: number, to?: number) {
  const versions = (await listVersions(w)).filter((v) => v.list_name === name).map((v) => Number(v.version));
  if (!versions.length) return null;
  const top = to ?? Math.max(...versions);
  const base = from ?? top - 1;
  const cols = sql`address, category, note, listed_at_ms`;
  const added = await w.query<DiffEntry>(
    labelled(
      "risk.diff_added",
      sql`SELECT ${cols} FROM risk_entries WHERE list_name = ${name} AND added_version > ${base}
        AND added_version <= ${top} AND (removed_version IS NULL OR removed_version > ${top}) ORDER BY address`,
    ),
  );
  const removed = await w.query<DiffEntry>(
    labelled(
      "risk.diff_removed",
      sql`SELECT ${cols} FROM risk_entries WHERE list_name = ${name} AND added_version <= ${base}
        AND removed_version > ${base} AND removed_version <= ${top} ORDER BY address`,
    ),
  );
  return { name, from: base, to: top, added, removed };
}

/** The listed entries of these addresses (the watched wallets' own listing). */
export const entriesOf = (w: Warehouse, addresses: readonly string[]) =>
  addresses.length
    ? w.query<Record<string, unknown>>(
        labelled(
          "risk.entries_of",
          sql`SELECT * FROM risk_entries WHERE address IN (${list(addresses)}) ORDER BY list_name, address, added_version`,
        ),
      )
    : Promise.resolve([]);
