// pino: JSON lines to the log file, pretty lines on a terminal. Secrets are redacted.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger };

export const REDACT_PATHS = [
  "apiKey", "*.apiKey", "api_key", "*.api_key", "headers", "*.headers", "password", "*.password", "token", "*.token",
  "privateKey", "*.privateKey", 'params["TRON-PRO-API-KEY"]',
];

export function createLogger(args: { file?: string | null; level?: string; terminalLevel?: string; terminal?: boolean }): Logger {
  const streams: pino.StreamEntry[] = [];
  if (args.file) {
    mkdirSync(dirname(args.file), { recursive: true });
    streams.push({ level: (args.level ?? "info") as pino.Level, stream: pino.destination({ dest: args.file, sync: true, mkdir: true }) });
  }
  if (args.terminal ?? true) {
    const stream = process.stderr.isTTY
      ? pretty({ colorize: true, sync: true, destination: 2, ignore: "pid,hostname", translateTime: "SYS:HH:MM:ss" })
      : pino.destination({ dest: 2, sync: true });
    streams.push({ level: (args.terminalLevel ?? args.level ?? "info") as pino.Level, stream });
  }
  return pino(
    { level: "trace", base: { pid: process.pid }, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.multistream(streams),
  );
}

export const silentLogger = (): Logger => pino({ level: "silent" });
