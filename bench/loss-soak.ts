// npm run soak:loss — no loss under any draw of the quirks: for SOAK_SEEDS seeds (default 50, from SOAK_FIRST_SEED,
// default 1), an emulator history with every quirk of the real API at once (page cap 20, short and empty pages,
// errors inside 200s, ties of up to 120 rows shuffled on every request with twins across page boundaries, internal
// TRX, counts missing on one stream) and ~20% faulty answers; a backfill past the 10,000-row window, then incremental
// cycles with rows arriving at the head; every stored transfer and transaction compared with the emulator's truth.
// SOAK_MIX (e.g. twin_batch:20) weights the history's kinds. Printed, not in CI (a seed takes 10-20 s). Exit 1 when any seed lost or invented a row.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../src/config/load.ts";
import { syncAll } from "../src/pipeline/sync-all.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { createTronscanClient } from "../src/source/tronscan/client.ts";
import { ALL_QUIRKS, Emulator, parseFaults, parseQuirks } from "../src/emulator/server.ts";
import { ORIGINAL_WALLETS, parseMix } from "../src/emulator/history.ts";
import { exportRows } from "../src/export/table-rows.ts";
import { TRANSFER_EXPORT_FIELDS } from "../src/model/columns.ts";

const SEEDS = Number(process.env.SOAK_SEEDS ?? 50);
const FIRST = Number(process.env.SOAK_FIRST_SEED ?? 1);
const FAULTS = process.env.SOAK_FAULTS ?? "429:0.04,403:0.03,html403:0.02,500:0.05,502:0.02,truncated:0.04";
const MIX = parseMix(process.env.SOAK_MIX ?? "");
const NOW = Date.parse("2026-10-01T12:00:00Z");
const wallets = ORIGINAL_WALLETS.slice(0, 2).map((w) => w.address);
const pick = (r: Record<string, unknown>) =>
  JSON.stringify(Object.fromEntries(TRANSFER_EXPORT_FIELDS.map((f) => [f, r[f]])));

async function seedRun(seed: number) {
  const emu = new Emulator({
    seed,
    days: 22,
    nowMs: NOW,
    clock: "manual",
    retryAfterSec: 0,
    quirks: parseQuirks(ALL_QUIRKS),
    mix: MIX,
  });
  emu.faults = parseFaults(FAULTS);
  const server = await emu.listen(0);
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const dir = mkdtempSync(join(tmpdir(), "tronmon-loss-"));
  const config = parseConfig({
    wallets: wallets.map((address) => ({ address })),
    source: { base_url: url, requests_per_second: 1000, burst: 100, concurrency: 3, max_retries: 10, timeout_ms: 5000 },
    warehouse: { kind: "duckdb", path: join(dir, "soak.duckdb") },
    output: { dir: join(dir, "out"), raw_archive: false, structured: false },
    logging: { file: join(dir, "soak.log") },
  });
  const warehouse = await createDuckDbWarehouse({ path: join(dir, "soak.duckdb") });
  await warehouse.migrate();
  const client = createTronscanClient({
    baseUrl: url,
    requestsPerSecond: 1000,
    burst: 100,
    maxRetries: 10,
    baseDelayMs: 1,
    maxDelayMs: 5,
    timeoutMs: 5000,
  });
  const t0 = performance.now();
  let shortfalls = 0;
  const cycle = async () => {
    const r = await syncAll({ config, warehouse, client, logger: silentLogger(), nowMs: emu.now() });
    shortfalls += r.shortfalls.length;
    if (r.status !== "success") throw new Error(`seed ${seed}: a cycle ended ${r.status}: ${r.errors.join("; ")}`);
  };
  await cycle();
  for (const minutes of [7, 13, 30, 60, 180]) {
    emu.advance(minutes * 60_000);
    await cycle();
  }
  const stored = new Set<string>();
  for await (const rows of exportRows(warehouse, "transfers", {})) for (const r of rows) stored.add(pick(r));
  const truth = new Set(emu.truth(wallets).transfers.map((r) => pick(r as Record<string, unknown>)));
  const missing = [...truth].filter((t) => !stored.has(t));
  const extra = [...stored].filter((t) => !truth.has(t));
  await warehouse.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
  return { seed, transfers: truth.size, missing, extra, shortfalls, seconds: (performance.now() - t0) / 1000 };
}

let compared = 0;
let lost = 0;
let invented = 0;
console.log(
  `loss soak: ${SEEDS} seeds from ${FIRST}, quirks ${ALL_QUIRKS}, faults ${FAULTS}` +
    `${process.env.SOAK_MIX ? `, mix ${process.env.SOAK_MIX}` : ""}`,
);
for (let seed = FIRST; seed < FIRST + SEEDS; seed++) {
  const r = await seedRun(seed);
  compared += r.transfers;
  lost += r.missing.length;
  invented += r.extra.length;
  console.log(
    `seed ${String(r.seed).padStart(3)}: ${r.transfers.toLocaleString("en-US")} transfers compared, ${r.missing.length} missing, ` +
      `${r.extra.length} extra, ${r.shortfalls} shortfalls reported, ${r.seconds.toFixed(0)} s`,
  );
  for (const m of r.missing.slice(0, 3)) console.log(`  missing: ${m}`);
  for (const m of r.extra.slice(0, 3)) console.log(`  extra:   ${m}`);
}
console.log(
  `\n${SEEDS} seeds, ${compared.toLocaleString("en-US")} transfers compared: ${lost} lost, ${invented} extra`,
);
process.exit(lost + invented ? 1 : 0);
