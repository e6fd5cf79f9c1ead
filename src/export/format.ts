// NDJSON and CSV writers over row objects with a fixed field order.
import { createWriteStream, existsSync, mkdirSync, statSync } from "node:fs";
import { InputError, NonRetryableError } from "../internal/errors.ts";
import { dirname } from "node:path";
import type { Writable } from "node:stream";

export type Format = "ndjson" | "csv";

/**
 * One CSV cell. Text that a spreadsheet would read as a formula (it begins with =, +, -, @, a tab or a
 * carriage return: a token named =HYPERLINK(...)) is prefixed with a single quote, as OWASP recommends.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Where an export goes: stdout, or a file. A reader that goes away (`| head`: EPIPE) stops the export
 * quietly (`stopped`); any other write error (a full disk, a directory) rejects `write`/`close` with an
 * error that names the file, so a command never claims what it did not write.
 */
export type Output = { write(chunk: string): Promise<void>; close(): Promise<void>; readonly stopped: boolean };

export function openOutput(file: string | undefined): Output {
  const name = file ?? "standard output";
  let failure: Error | null = null;
  let stopped = false;
  const fail = (e: NodeJS.ErrnoException) => {
    if (!file && e.code === "EPIPE") stopped = true;
    else
      failure ??= new NonRetryableError(
        `could not write ${name}: ${e.code ? `${e.code} ` : ""}${e.message.replace(/^[A-Z]+: /, "")}`,
      );
  };
  let stream: Writable;
  if (file) {
    if (existsSync(file) && statSync(file).isDirectory())
      throw new InputError(`--out ${file} is a folder: name a file`);
    mkdirSync(dirname(file), { recursive: true });
    stream = createWriteStream(file);
  } else {
    stream = process.stdout;
  }
  stream.on("error", fail);
  const check = () => {
    if (failure) throw failure;
  };
  return {
    get stopped() {
      return stopped;
    },
    async write(chunk: string) {
      check();
      if (stopped || !chunk) return;
      const ok = stream.write(chunk, (e) => {
        if (e) fail(e);
      });
      if (!ok)
        await new Promise<void>((r) => {
          stream.once("drain", r);
          stream.once("error", () => r());
          stream.once("close", r);
        });
      check();
    },
    async close() {
      if (file)
        await new Promise<void>((r) => {
          stream.end(() => r());
          stream.once("error", () => r());
        });
      else await new Promise<void>((r) => (stopped ? r() : stream.write("", () => r())));
      stream.off("error", fail);
      if (!file) stream.on("error", () => undefined); // a late EPIPE after we are done is nobody's business
      check();
    },
  };
}

export function createRowWriter(out: Output, format: Format, fields: readonly string[]) {
  let headerDone = false;
  return async (rows: Record<string, unknown>[]) => {
    let chunk = "";
    if (format === "csv" && !headerDone) {
      chunk += fields.join(",") + "\n";
      headerDone = true;
    }
    for (const r of rows) {
      chunk +=
        format === "csv"
          ? fields.map((f) => csvCell(r[f])).join(",") + "\n"
          : JSON.stringify(Object.fromEntries(fields.map((f) => [f, r[f] ?? null]))) + "\n";
    }
    await out.write(chunk);
  };
}

/** Writes a whole set of rows to a file (or stdout) and says so once they are written (`--out`). */
export async function writeRows(
  file: string | undefined,
  format: Format,
  fields: readonly string[],
  rows: Record<string, unknown>[],
) {
  const out = openOutput(file);
  await createRowWriter(out, format, fields)(rows);
  await out.close();
  if (file) process.stderr.write(`wrote ${rows.length} rows to ${file}\n`);
}
