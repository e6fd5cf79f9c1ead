// pino: JSON lines to the log file, pretty lines on a terminal. Secrets are redacted.
import { mkdirSync } from "node:fs";
import { basename, dirname } from "node:path";
import { createStream } from "rotating-file-stream";
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";
import { scrubUrls } from "./scrub.ts";

export type { Logger };

export const REDACT_PATHS = [
  "apiKey",
  "*.apiKey",
  "api_key",
  "*.api_key",
  "headers",
  "*.headers",
  "password",
  "*.password",
  "token",
  "*.token",
  "privateKey",
  "*.privateKey",
  'params["TRON-PRO-API-KEY"]',
];

const openFiles = new Map<string, ReturnType<typeof createStream>>();

/**
 * The log file, rotated by size: `<file>` is current, `<file>.1` the newest old one ... up to `maxFiles`.
 * One stream per file per process: commands that build a logger each (the demo runs several) share it.
 */
function rotatingFile(file: string, size: string, maxFiles: number) {
  const open = openFiles.get(file);
  if (open && !open.destroyed) return open;
  mkdirSync(dirname(file), { recursive: true });
  const name = basename(file);
  const stream = createStream((time: number | Date | null, index?: number) => (time ? `${name}.${index ?? 1}` : name), {
    path: dirname(file),
    size,
    rotate: maxFiles, // classic: .1 is the newest old file
  });
  openFiles.set(file, stream);
  return stream;
}

export function createLogger(args: {
  file?: string | null;
  level?: string;
  terminalLevel?: string;
  terminal?: boolean;
  maxSize?: string;
  maxFiles?: number;
}): Logger {
  const streams: pino.StreamEntry[] = [];
  if (args.file) {
    const stream = args.maxSize
      ? rotatingFile(args.file, args.maxSize, args.maxFiles ?? 5)
      : pino.destination({ dest: args.file, sync: true, mkdir: true });
    streams.push({ level: (args.level ?? "info") as pino.Level, stream });
  }
  if (args.terminal ?? true) {
    const stream = process.stderr.isTTY
      ? pretty({ colorize: true, sync: true, destination: 2, ignore: "pid,hostname", translateTime: "SYS:HH:MM:ss" })
      : pino.destination({ dest: 2, sync: true });
    streams.push({ level: (args.terminalLevel ?? args.level ?? "info") as pino.Level, stream });
  }
  return pino(
    {
      level: "trace",
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      // a URL in any logged text keeps only scheme and host: credentials or a key in a base URL never reach the log
      formatters: { log: scrubFields },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.multistream(streams),
  );
}

/** Every string field (and string inside arrays and objects, a few levels deep) with its URLs scrubbed. */
function scrubFields(o: Record<string, unknown>): Record<string, unknown> {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return v.includes("://") ? scrubUrls(v) : v;
    if (depth > 4 || v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (v instanceof Error) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
  };
  return walk(o, 0) as Record<string, unknown>;
}

export const silentLogger = (): Logger => pino({ level: "silent" });
