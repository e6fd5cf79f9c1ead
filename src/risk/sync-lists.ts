// Keeping the configured lists current: each list is read again when its refresh is due (or, for files, when a
// file changed since), and loaded as a new version only when its content changed. The shipped OFAC snapshot is
// read from the package's risk-lists/ folder; a URL is downloaded to a temporary file first (the official XML is
// ~100 MB), never held in memory whole.
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILTIN_LISTS, type RiskListSettings } from "../config/risk-schema.ts";
import type { Config } from "../config/schema.ts";
import { InputError, SourceUnavailableError } from "../internal/errors.ts";
import type { Logger } from "../internal/logger.ts";
import { labelled, prepared, sql } from "../warehouse/sql.ts";
import type { Warehouse } from "../warehouse/types.ts";
import { importListVersion, type NewEntry, type RiskKind, type VersionResult } from "../warehouse/risk-lists.ts";
import { type ListEntry, type Rejected, readListFile } from "./parse-list.ts";

const PACKAGE_LISTS = resolve(dirname(fileURLToPath(import.meta.url)), "../../risk-lists");

export type ReadList = {
  entries: ListEntry[];
  rejected: (Rejected & { file: string })[];
  retrievedAtMs: number;
  source: string;
};

/** Reads files into one list, merged by address (the first file's category and note win, later notes add). */
export async function readListFiles(
  files: string[],
  category: string,
): Promise<Omit<ReadList, "retrievedAtMs" | "source">> {
  const byAddress = new Map<string, ListEntry>();
  const rejected: ReadList["rejected"] = [];
  for (const file of files) {
    const parsed = await readListFile(file, category);
    for (const r of parsed.rejected) rejected.push({ ...r, file });
    for (const e of parsed.entries) {
      const seen = byAddress.get(e.address);
      if (!seen) byAddress.set(e.address, e);
      else if (e.note && !seen.note?.includes(e.note)) seen.note = seen.note ? `${seen.note}; ${e.note}` : e.note;
    }
  }
  return { entries: [...byAddress.values()], rejected };
}

async function download(url: string): Promise<{ file: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "tronmon-list-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const name = basename(new URL(url).pathname) || "list.txt";
  const file = join(dir, extname(name) ? name : `${name}.txt`);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(120_000), redirect: "follow" });
    if (!res.ok) throw new SourceUnavailableError(`risk list ${new URL(url).origin}: HTTP ${res.status}`);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    return { file, cleanup };
  } catch (e) {
    cleanup();
    if (e instanceof SourceUnavailableError) throw e;
    throw new SourceUnavailableError(`risk list ${new URL(url).origin}: cannot download: ${(e as Error).message}`);
  }
}

/** Reads one configured list from where it lives. */
export async function readConfiguredList(l: RiskListSettings, nowMs: number): Promise<ReadList> {
  if (l.builtin) {
    const b = BUILTIN_LISTS[l.builtin];
    const files = b.files.map((f) => join(PACKAGE_LISTS, b.folder, f));
    return { ...(await readListFiles(files, l.category)), retrievedAtMs: Date.parse(b.retrievedAt), source: b.source };
  }
  if (l.url) {
    const got = await download(l.url);
    try {
      const read = await readListFiles([got.file], l.category);
      return { ...read, retrievedAtMs: l.retrieved_at ? Date.parse(l.retrieved_at) : nowMs, source: l.url };
    } finally {
      got.cleanup();
    }
  }
  const read = await readListFiles(l.files, l.category);
  const mtime = Math.max(...l.files.map((f) => statSync(f).mtimeMs));
  return {
    ...read,
    retrievedAtMs: l.retrieved_at ? Date.parse(l.retrieved_at) : Math.floor(mtime),
    source: l.files.join(", "),
  };
}

export const toNewEntries = (entries: ListEntry[]): NewEntry[] =>
  entries.map((e) => ({ address: e.address, category: e.category, note: e.note }));

const stateName = (list: string) => `risk_list:${list}`;

async function lastChecked(w: Warehouse, list: string): Promise<number | null> {
  const [r] = await w.query<{ watermark_ms: string | null }>(
    labelled("risk.list_checked", sql`SELECT watermark_ms FROM detector_state WHERE name = ${stateName(list)}`),
  );
  return r?.watermark_ms ? Number(r.watermark_ms) : null;
}

function due(l: RiskListSettings, checked: number | null, nowMs: number): boolean {
  if (checked === null || nowMs - checked >= l.refresh_minutes * 60_000) return true;
  // a file edited since the last check is read at once
  return l.files.some((f) => {
    try {
      return statSync(f).mtimeMs > checked;
    } catch {
      return true;
    }
  });
}

/** Loads the configured lists that are due; `force` reads every one. Invalid addresses are logged, not loaded. */
export async function syncRiskLists(
  w: Warehouse,
  config: Config,
  nowMs: number,
  o: { logger?: Logger; force?: boolean } = {},
): Promise<VersionResult[]> {
  const out: VersionResult[] = [];
  const names = new Set<string>();
  for (const l of config.risk.lists) {
    if (names.has(l.name)) throw new InputError(`risk.lists: the name "${l.name}" is used twice`);
    names.add(l.name);
    if (!o.force && !due(l, await lastChecked(w, l.name), nowMs)) continue;
    const read = await readConfiguredList(l, nowMs);
    for (const r of read.rejected)
      o.logger?.warn({
        msg: "Invalid address in a risk list, not loaded",
        list: l.name,
        file: r.file,
        line: r.line,
        value: r.value,
        problem: r.problem,
      });
    const kind: RiskKind = l.kind;
    const result = await importListVersion(w, {
      name: l.name,
      kind,
      source: read.source,
      retrievedAtMs: read.retrievedAtMs,
      nowMs,
      entries: toNewEntries(read.entries),
    });
    await w.query(
      labelled(
        "risk.list_checked_at",
        prepared(w.dialect.upsertSql("detector_state", ["name", "watermark_ms"], ["name"], 1), [
          stateName(l.name),
          nowMs,
        ]),
      ),
    );
    if (!result.unchanged)
      o.logger?.info({
        msg: "Risk list loaded",
        list: l.name,
        version: result.version,
        added: result.added,
        removed: result.removed,
        entries: result.entries,
      });
    out.push(result);
  }
  return out;
}
