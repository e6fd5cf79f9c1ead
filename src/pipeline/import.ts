// `tronmon import`: saved pages (our archive, TronScan envelopes, the original project's bare arrays)
// through the same normalize-and-load path. Order does not matter: the newest observation wins.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseJsonLossless } from "../internal/json.ts";
import { recognisePage, stampFromFilename } from "../normalize/page.ts";
import { normalizeRecords } from "../normalize/index.ts";
import { TokenCache } from "./token-cache.ts";
import { createRunOutputs, newRunId } from "./outputs.ts";
import { InputError } from "../internal/errors.ts";
import { addLoadCounts, emptyLoadCounts, type LoadCounts, type Warehouse } from "../warehouse/types.ts";
import { appendBatch, emptyBatch } from "../model/rows.ts";
import type { Logger } from "../internal/logger.ts";

export type ImportSummary = LoadCounts & {
  runId: string;
  files: number;
  records: number;
  skipped: number;
  rejectedFiles: { file: string; reason: string }[];
};

export function listFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === "ENOENT"
          ? "no such file or folder"
          : code === "ELOOP"
            ? "a symbolic link that loops (it points back to itself)"
            : code === "EACCES"
              ? "permission denied"
              : `cannot be read (${code ?? (e as Error).message})`;
      throw new InputError(`import: ${p}: ${why}`);
    }
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else if (/\.json(\.gz)?$/i.test(p)) out.push(p);
  };
  for (const p of paths) walk(p);
  return out;
}

export function readPageFile(file: string): unknown {
  let buf = readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  return parseJsonLossless(buf.toString("utf8"));
}

const FLUSH_ROWS = 5000;
const FLUSH_MS = 2000;

export async function importPaths(args: {
  paths: string[];
  warehouse: Warehouse;
  logger: Logger;
  outDir: string;
  structured: boolean;
}): Promise<ImportSummary> {
  const files = listFiles(args.paths);
  if (!files.length) throw new InputError(`import: no .json or .json.gz files under ${args.paths.join(", ")}`);
  const runId = newRunId();
  const started = Date.now();
  await args.warehouse.recordRun({ runId, command: "import", startedAtMs: started, status: "running" });
  const tokens = new TokenCache(await args.warehouse.tokens());
  const outputs = createRunOutputs({ dir: args.outDir, runId, structured: args.structured });
  const s: ImportSummary = {
    runId,
    files: 0,
    records: 0,
    ...emptyLoadCounts(),
    skipped: 0,
    rejectedFiles: [],
  };
  // pages are buffered like the sync does: one load (one set of MERGEs) per FLUSH_ROWS rows or FLUSH_MS, so the
  // time grows with the archive's size, not with pages x table size
  let pending = emptyBatch();
  let lastFlush = Date.now();
  const flush = async () => {
    const b = pending;
    if (!b.transfers.length && !b.transactions.length && !b.quarantined.length && !b.tokens.length) return;
    pending = emptyBatch();
    lastFlush = Date.now();
    addLoadCounts(s, await args.warehouse.load({ batch: b, runId }));
    s.skipped += b.skipped;
  };
  try {
    for (const file of files) {
      let content: unknown;
      try {
        content = readPageFile(file);
      } catch (e) {
        s.rejectedFiles.push({ file, reason: `not readable JSON: ${(e as Error).message}` });
        continue;
      }
      const page = recognisePage(content);
      if ("error" in page) {
        s.rejectedFiles.push({ file, reason: page.error });
        continue;
      }
      const observedAtMs = page.fetchedAtMs ?? stampFromFilename(basename(file)) ?? statSync(file).mtimeMs;
      const batch = normalizeRecords({
        endpoint: page.endpoint,
        records: page.records,
        observedAtMs: Math.floor(observedAtMs),
        nowMs: Date.now(),
        tokens: tokens.lookup,
      });
      tokens.add(batch.tokens);
      outputs.write(batch);
      appendBatch(pending, batch);
      s.files++;
      s.records += page.records.length;
      if (pending.transfers.length + pending.transactions.length >= FLUSH_ROWS || Date.now() - lastFlush >= FLUSH_MS)
        await flush();
      args.logger.debug({
        msg: "Imported page",
        file,
        endpoint: page.endpoint,
        kind: page.kind,
        records: page.records.length,
      });
    }
    await flush();
    await args.warehouse.rescaleTransfers();
    for (const r of s.rejectedFiles)
      args.logger.warn({ msg: "Skipped file that is not a TronScan page", file: r.file, reason: r.reason });
    await args.warehouse.recordRun({
      runId,
      command: "import",
      startedAtMs: started,
      endedAtMs: Date.now(),
      status: "success",
      counts: { ...s, rejectedFiles: s.rejectedFiles.length },
    });
    return s;
  } catch (e) {
    await args.warehouse.recordRun({
      runId,
      command: "import",
      startedAtMs: started,
      endedAtMs: Date.now(),
      status: "failed",
      error: (e as Error).message,
    });
    throw e;
  }
}
