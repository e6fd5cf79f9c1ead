// npm run soak: `watch` for SOAK_CYCLES (default 500) fast cycles against the emulator (in a child
import { duckdbSettings } from "../src/config/schema.ts";
// process, so that only the monitor's memory is measured) with ~10% faults. Each cycle's wait is
// skipped and moves the emulator's clock 10 minutes on. Prints RSS and open file descriptors.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../src/config/load.ts";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { createLogger } from "../src/internal/logger.ts";
import { createClient } from "../src/cli/context.ts";
import { watch } from "../src/service/watch.ts";
import type { Clock } from "../src/service/schedule.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { stmt } from "../test/stmt.ts";

const CYCLES = Number(process.env.SOAK_CYCLES ?? 500);
const FAULTS = process.env.SOAK_FAULTS ?? "429:0.02,500:0.03,502:0.02,truncated:0.02,short:0.01";
const PORT = 8700 + Math.floor(Math.random() * 200);
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const fds = () => readdirSync("/proc/self/fd").length;

const dir = mkdtempSync(join(tmpdir(), "tronmon-soak-"));
const emulator = spawn(
  process.execPath,
  ["bin/tronmon.js", "emulator", "--port", String(PORT), "--days", "3", "--clock", "manual", "--faults", FAULTS],
  { stdio: "ignore" },
);
const base = `http://127.0.0.1:${PORT}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/__emulator/health`)).ok) break;
  } catch {
    /* starting */
  }
  if (i > 100) throw new Error("emulator did not start");
  await new Promise((r) => setTimeout(r, 100));
}
const config = parseConfig({
  wallets: ORIGINAL_WALLETS.map((w) => ({ address: w.address, label: w.label })),
  source: { base_url: base, requests_per_second: 1000, burst: 100, max_retries: 8, retry_base_delay_ms: 1 },
  warehouse: { kind: "duckdb", path: join(dir, "soak.duckdb") },
  output: { dir: join(dir, "out"), structured: false },
  notify: { sinks: [{ name: "file", kind: "file", path: join(dir, "out/notifications.ndjson") }] },
});
const warehouse = await createDuckDbWarehouse({
  path: duckdbSettings(config).path,
  memoryLimit: duckdbSettings(config).memory_limit,
});
await warehouse.migrate();
const logger = createLogger({ file: join(dir, "soak.log"), level: "warn", terminal: false, maxSize: "10M" });
let virtual = Date.now();
const clock: Clock = {
  now: () => virtual,
  sleep: async (ms) => {
    virtual += Math.max(0, ms);
    await fetch(`${base}/__emulator/advance?ms=${Math.max(0, Math.round(ms))}`);
  },
};
const samples: { cycle: number; rss: number; heap: number; fds: number }[] = [];
const started = performance.now();
let lastPrint = started;
await watch({
  config,
  warehouse,
  logger,
  clock,
  signal: new AbortController().signal,
  maxCycles: CYCLES,
  client: () => createClient(config, logger),
  onCycle: (n) => {
    if (n === 1 || n === 50 || n === CYCLES || n % 100 === 0) {
      global.gc?.();
      samples.push({ cycle: n, rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed, fds: fds() });
    }
    if (process.stderr.isTTY && performance.now() - lastPrint > 1000) {
      lastPrint = performance.now();
      process.stderr.write(`\r  cycle ${n}/${CYCLES}, RSS ${mb(process.memoryUsage().rss)}   `);
    }
  },
});
const seconds = (performance.now() - started) / 1000;
const [runs] = await warehouse.query<{ ok: string; failed: string }>(
  stmt(
    "SELECT count(*) FILTER (WHERE status = 'success') AS ok, count(*) FILTER (WHERE status = 'failed') AS failed FROM runs",
  ),
);
const [rows] = await warehouse.query<{ n: string }>(stmt("SELECT count(*) AS n FROM transfers"));
const stats = (await (await fetch(`${base}/__emulator/stats`)).json()) as {
  requests: number;
  faults: Record<string, number>;
};
await warehouse.close();
emulator.kill();
rmSync(dir, { recursive: true, force: true });

console.log(`\n== Soak: ${CYCLES} watch cycles (virtual 10 min apart) against the emulator with faults ${FAULTS}`);
console.log(
  `  ${seconds.toFixed(0)} s wall; runs ${runs.ok} succeeded, ${runs.failed} failed; ${rows.n} transfers; ${stats.requests} requests, faults injected ${JSON.stringify(stats.faults)}`,
);
for (const s of samples)
  console.log(`  cycle ${String(s.cycle).padStart(4)}: RSS ${mb(s.rss)}, heap ${mb(s.heap)}, open fds ${s.fds}`);
const at = (n: number) => samples.find((s) => s.cycle === n);
const a = at(50),
  b = at(CYCLES);
if (a && b)
  console.log(
    `  RSS cycle ${CYCLES} vs 50: ${(((b.rss - a.rss) / a.rss) * 100).toFixed(1)}% (aim: within ±10%); fds ${a.fds} -> ${b.fds}`,
  );
