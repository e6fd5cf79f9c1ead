// Per-run files: normalized rows under out/structured/<run>/, quarantined records under out/quarantine/.
import { safeJson } from "../internal/json.ts";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { transactionExport, transferExport } from "../model/columns.ts";
import type { NormalizedBatch } from "../model/rows.ts";

export type RunOutputs = { write(batch: NormalizedBatch): void };

export function createRunOutputs(args: { dir: string; runId: string; structured: boolean }): RunOutputs {
  const structuredDir = join(args.dir, "structured", args.runId);
  const quarantineDir = join(args.dir, "quarantine");
  let made = false;
  return {
    write(batch) {
      if (args.structured && (batch.transactions.length || batch.transfers.length)) {
        if (!made) mkdirSync(structuredDir, { recursive: true });
        made = true;
        if (batch.transactions.length)
          appendFileSync(
            join(structuredDir, "transactions.ndjson"),
            batch.transactions.map((t) => JSON.stringify(transactionExport(t))).join("\n") + "\n",
          );
        if (batch.transfers.length)
          appendFileSync(
            join(structuredDir, "transfers.ndjson"),
            batch.transfers.map((t) => JSON.stringify(transferExport(t))).join("\n") + "\n",
          );
      }
      if (batch.quarantined.length) {
        mkdirSync(quarantineDir, { recursive: true });
        appendFileSync(
          join(quarantineDir, `${args.runId}.ndjson`),
          batch.quarantined
            .map(
              (q) =>
                `${JSON.stringify({ run_id: args.runId, endpoint: q.endpoint, reason: q.reason }).slice(0, -1)},"record":${safeJson(q.record)}}`,
            )
            .join("\n") + "\n",
        );
      }
    },
  };
}

export const newRunId = (nowMs = Date.now()): string =>
  `${new Date(nowMs)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.(\d+)Z$/, "$1Z")}-${Math.random().toString(36).slice(2, 6)}`;
