// NDJSON and CSV writers over row objects with a fixed field order.
import { createWriteStream, mkdirSync } from "node:fs";
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

export function openOutput(file: string | undefined): { stream: Writable; close(): Promise<void> } {
  if (!file) return { stream: process.stdout, close: async () => undefined };
  mkdirSync(dirname(file), { recursive: true });
  const stream = createWriteStream(file);
  return { stream, close: () => new Promise((r, j) => stream.end((e?: Error | null) => (e ? j(e) : r()))) };
}

export function createRowWriter(stream: Writable, format: Format, fields: readonly string[]) {
  let headerDone = false;
  return async (rows: Record<string, unknown>[]) => {
    let chunk = "";
    if (format === "csv" && !headerDone) {
      chunk += fields.join(",") + "\n";
      headerDone = true;
    }
    for (const r of rows) {
      chunk += format === "csv" ? fields.map((f) => csvCell(r[f])).join(",") + "\n" : JSON.stringify(Object.fromEntries(fields.map((f) => [f, r[f] ?? null]))) + "\n";
    }
    if (chunk && !stream.write(chunk)) await new Promise((r) => stream.once("drain", r));
  };
}
