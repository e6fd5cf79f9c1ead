// `tronmon lists`: the risk lists and their versions; `lists import` loads a file as a list's next version and
// screens stored history against what it added; `lists diff` shows what a version added and removed.
import { TETHER_LIST } from "../../config/risk-schema.ts";
import { InputError, SourceHttpError, UsageError } from "../../internal/errors.ts";
import { isoUtc } from "../../model/columns.ts";
import { diffVersions, importListVersion, listVersions } from "../../warehouse/risk-lists.ts";
import { screenMovements } from "../../risk/screen.ts";
import { readListFiles, syncRiskLists, toNewEntries } from "../../risk/sync-lists.ts";
import { createNodeClientFor, type GlobalOptions, parseCount, parseIsoTime, withWarehouse } from "../context.ts";
import { backfillFreezes } from "../../pipeline/backfill-freezes.ts";
import { newRunId } from "../../pipeline/outputs.ts";
import { table } from "../table.ts";

const say = (s: string) => process.stdout.write(s + "\n");

export async function listsShowCommand(opts: GlobalOptions & { json?: boolean; sync?: boolean }): Promise<number> {
  return withWarehouse(opts, async ({ config, warehouse: w, logger }) => {
    if (opts.sync) await syncRiskLists(w, config, Date.now(), { logger, force: true });
    const versions = await listVersions(w);
    if (opts.json) {
      say(JSON.stringify(versions, null, 2));
      return 0;
    }
    if (!versions.length) {
      say(
        "no risk lists loaded yet: `tronmon run` loads the configured ones (risk.lists), `tronmon lists import FILE --name N` any file",
      );
      return 0;
    }
    say(
      table(
        versions.map((v) => ({
          list: v.list_name,
          version: v.version,
          kind: v.kind,
          entries: v.entry_count,
          added: v.added_count,
          removed: v.removed_count,
          retrieved: isoUtc(Number(v.retrieved_at_ms)),
          loaded: isoUtc(Number(v.imported_at_ms)),
          hash: String(v.content_hash).slice(0, 12),
          screened: v.screened_at_ms === null ? "pending" : "yes",
          source: String(v.source ?? "").slice(0, 60),
        })),
      ),
    );
    return 0;
  });
}

export async function listsImportCommand(
  file: string,
  opts: GlobalOptions & { name?: string; category?: string; kind?: string; retrieved?: string; json?: boolean },
): Promise<number> {
  const name = opts.name ?? "";
  if (!/^[a-z0-9][a-z0-9_.-]{0,62}$/.test(name))
    throw new UsageError(
      `lists import: --name ${JSON.stringify(name)} must be lowercase letters, digits, '.', '_' or '-'`,
    );
  if (name === TETHER_LIST) throw new UsageError(`lists import: ${TETHER_LIST} is kept from the chain, not imported`);
  const kind = opts.kind ?? "custom";
  if (kind !== "sanctions" && kind !== "custom")
    throw new UsageError("lists import: --kind must be sanctions or custom");
  const retrievedAtMs = opts.retrieved ? parseIsoTime(opts.retrieved, "--retrieved", "lists import") : Date.now();
  // read and check the whole file before the warehouse is touched: a refused file changes nothing
  const read = await readListFiles([file], opts.category ?? "listed");
  for (const r of read.rejected)
    process.stderr.write(`${file}:${r.line}: ${JSON.stringify(r.value)} ${r.problem} (not loaded)\n`);
  if (!read.entries.length)
    throw new InputError(
      `${file}: no valid TRON address in the file (${read.rejected.length} rejected): nothing imported`,
    );
  return withWarehouse(opts, async ({ config, warehouse: w }) => {
    if (config.risk.lists.some((l) => l.name === name))
      throw new UsageError(
        `lists import: "${name}" is configured in risk.lists (run and watch read it from there): import under another name`,
      );
    const nowMs = Date.now();
    const v = await importListVersion(w, {
      name,
      kind,
      source: file,
      retrievedAtMs,
      nowMs,
      entries: toNewEntries(read.entries),
    });
    const s = config.risk.screening ? await screenMovements(w, nowMs) : null;
    const found = s ? Object.values(s.found).reduce((a, b) => a + b, 0) : 0;
    if (opts.json)
      say(
        JSON.stringify(
          { ...v, rejected: read.rejected, findings: s?.found ?? {}, resolved: s?.resolved ?? 0 },
          null,
          2,
        ),
      );
    else if (v.unchanged) say(`${name}: same content as version ${v.version} (${v.entries} entries): nothing new`);
    else
      say(
        `${name}: version ${v.version}: ${v.entries} entries (${v.added} added, ${v.removed} removed)` +
          `${read.rejected.length ? `; ${read.rejected.length} invalid not loaded` : ""}` +
          `${s ? `; screened stored history: ${found} new findings, ${s.resolved} resolved` : ""}`,
      );
    return 0;
  });
}

export async function listsDiffCommand(
  name: string,
  opts: GlobalOptions & { from?: string; to?: string; json?: boolean },
): Promise<number> {
  const from = opts.from === undefined ? undefined : parseCount(opts.from, "--from", "lists diff", 0, 1_000_000_000, 0);
  const to = opts.to === undefined ? undefined : parseCount(opts.to, "--to", "lists diff", 1, 1_000_000_000, 1);
  return withWarehouse(
    opts,
    async ({ warehouse: w }) => {
      const diff = await diffVersions(w, name, from, to);
      if (!diff) throw new UsageError(`lists diff: no list named "${name}" (see \`tronmon lists\`)`);
      if (opts.json) {
        say(JSON.stringify(diff, null, 2));
        return 0;
      }
      say(`${name}: version ${diff.from} -> ${diff.to}: ${diff.added.length} added, ${diff.removed.length} removed`);
      for (const e of diff.added) say(`+ ${e.address}  ${e.category}${e.note ? `  ${e.note}` : ""}`);
      for (const e of diff.removed) say(`- ${e.address}  ${e.category}${e.note ? `  ${e.note}` : ""}`);
      return 0;
    },
    false,
  );
}

/**
 * `lists backfill-freezes --since DATE [--until DATE]`: Tether's blacklist events of the window from TronGrid's event
 * API (node.base_url), stored once, with the window proved complete; the tether-frozen list's next version.
 */
export async function listsBackfillCommand(
  opts: GlobalOptions & { since?: string; until?: string; json?: boolean },
): Promise<number> {
  if (!opts.since) throw new UsageError("lists backfill-freezes: --since DATE is required (e.g. 2024-01-01)");
  const fromMs = parseIsoTime(opts.since, "--since", "lists backfill-freezes");
  const toMs = opts.until ? parseIsoTime(opts.until, "--until", "lists backfill-freezes") : Date.now();
  if (toMs <= fromMs) throw new UsageError("lists backfill-freezes: --until must be after --since");
  return withWarehouse(opts, async ({ config, logger, warehouse }) => {
    const client = createNodeClientFor(config, logger);
    const nowMs = Date.now();
    let r: Awaited<ReturnType<typeof backfillFreezes>>;
    try {
      r = await backfillFreezes({ client, warehouse, fromMs, toMs, nowMs, runId: newRunId(nowMs) });
    } catch (e) {
      if (e instanceof SourceHttpError && e.status === 404)
        throw new SourceHttpError(
          `${e.message}: the events API is TronGrid's (/v1); set node.base_url to https://api.trongrid.io`,
          404,
          e.url,
        );
      throw e;
    }
    const s = config.risk.screening && r.version ? await screenMovements(warehouse, nowMs) : null;
    if (opts.json) say(JSON.stringify({ ...r, findings: s?.found ?? {} }, null, 2));
    else
      say(
        `${TETHER_LIST}: ${isoUtc(fromMs)} to ${isoUtc(toMs)} complete: ${r.seen} events (${r.stored} new) in ` +
          `${r.requests} requests` +
          (r.version
            ? `; version ${r.version.version}: +${r.version.added} -${r.version.removed}`
            : "; list unchanged") +
          (r.quarantined ? `; ${r.quarantined} unreadable events quarantined` : ""),
      );
    if (r.quarantined) logger.warn({ msg: "Unreadable blacklist events quarantined", count: r.quarantined });
    return 0;
  });
}
