// How many findings an analyst receives: anomalies per active wallet-day, by type and severity, for the
// recorded seed pages (four exchange wallets, ~2 days, imported) and the emulator's 30-day history, with the
// global settings alone and with the shipped config (the four wallets use the `exchange` profile).
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { join } from "node:path";
import { detectAnomalies } from "../src/anomalies/detect.ts";
import { loadConfig, parseConfig } from "../src/config/load.ts";
import type { Config } from "../src/config/schema.ts";
import { Emulator } from "../src/emulator/server.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { importPaths } from "../src/pipeline/import.ts";
import { syncAll } from "../src/pipeline/sync-all.ts";
import { noiseReport } from "../src/reports/noise.ts";
import { createTronscanClient } from "../src/source/tronscan/client.ts";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import type { Warehouse } from "../src/warehouse/types.ts";
import { stmt } from "../test/stmt.ts";

const ROOT = join(import.meta.dirname, "..");
const OUT = "/tmp/tronmon-bench-noise";

function configs(extra: Record<string, unknown> = {}): [string, Config][] {
  const shipped = loadConfig(join(ROOT, "tronmon.config.yaml"));
  const wallets = shipped.wallets.map((w) => ({ address: w.address, label: w.label }));
  return [
    ["global settings", parseConfig({ wallets, output: { dir: OUT }, ...extra })],
    ["shipped profiles", parseConfig({ ...JSON.parse(JSON.stringify(shipped)), output: { dir: OUT }, ...extra })],
  ];
}

async function measure(name: string, config: Config, fill: (w: Warehouse) => Promise<number>) {
  const w = await createDuckDbWarehouse({ path: ":memory:" });
  await w.migrate();
  await w.setWallets(config.wallets.map((x) => ({ address: x.address, label: x.label })));
  const nowMs = await fill(w);
  await refreshRollup(w);
  await detectAnomalies({ warehouse: w, config, nowMs, outDir: OUT });
  const r = await noiseReport(w);
  await w.close();
  const types = Object.entries(r.byType)
    .map(
      ([t, s]) =>
        `${t} ${Object.entries(s)
          .map(([k, v]) => `${v} ${k}`)
          .join("/")}`,
    )
    .join(", ");
  console.log(
    `  ${name}: ${r.findings} findings over ${r.activeWalletDays} active wallet-days = ${r.perActiveWalletDay} per ` +
      `wallet-day (busiest wallet-day ${r.maxPerWalletDay})\n    ${types || "none"}`,
  );
}

export async function benchNoise() {
  console.log("\n== Noise: anomalies per active wallet-day (what an analyst receives)");
  console.log(" recorded seed pages (test/fixtures/tronscan/seed-pages, imported):");
  for (const [name, config] of configs()) {
    await measure(name, config, async (w) => {
      await importPaths({
        paths: [join(ROOT, "test/fixtures/tronscan/seed-pages")],
        warehouse: w,
        logger: silentLogger(),
        outDir: OUT,
        structured: false,
      });
      const [t] = await w.query<{ ms: string }>(stmt("SELECT max(timestamp_ms) AS ms FROM transfers"));
      return Number(t.ms) + 1; // as of the newest data
    });
  }
  console.log(" the emulator's history (seed 7, 30 days, the four wallets):");
  const emu = new Emulator({ seed: 7, days: 30, nowMs: Date.parse("2026-09-15T08:00:00Z"), clock: "manual" });
  const server = await emu.listen(0);
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  for (const [name, config] of configs({ source: { base_url: url } })) {
    await measure(name, config, async (w) => {
      const client = createTronscanClient({ baseUrl: url, requestsPerSecond: 1000, burst: 1000, maxRetries: 5 });
      await syncAll({ config, warehouse: w, client, logger: silentLogger(), nowMs: emu.now() });
      return emu.now();
    });
  }
  await new Promise<void>((r) => server.close(() => r()));
}
