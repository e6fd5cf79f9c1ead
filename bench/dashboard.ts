// Dashboard API latency over a warehouse of N synthetic transfers (default 1,000,000), with rules evaluated
// and anomalies detected: p50 and p95 per endpoint, and the overview's load time in a browser.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { serveDashboard } from "../src/dashboard/server.ts";
import { evaluateRules } from "../src/rules/evaluate.ts";
import { refreshRollup } from "../src/rules/rollup.ts";
import { rulesFromConfig, syncRules } from "../src/rules/store.ts";
import { detectAnomalies } from "../src/anomalies/detect.ts";
import { parseConfig } from "../src/config/load.ts";
import { synthesize } from "./rules.ts";

export async function benchDashboard(transfers: number, wallets: number) {
  const dir = mkdtempSync(join(tmpdir(), "tronmon-bench-dash-"));
  const w = await createDuckDbWarehouse({ path: join(dir, "dash.duckdb"), memoryLimit: "2GB" });
  await w.migrate();
  const nowMs = Date.parse("2026-06-01T00:00:00Z");
  await synthesize(w, { transfers, wallets, nowMs });
  const config = parseConfig({ wallets: [{ address: "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF" }] });
  await syncRules(w, rulesFromConfig(config));
  await refreshRollup(w);
  await evaluateRules({ warehouse: w, nowMs, outDir: dir });
  await detectAnomalies({ warehouse: w, config, nowMs, outDir: dir });
  await w.recordRun({ runId: "bench", command: "watch", startedAtMs: nowMs - 5000, endedAtMs: nowMs, status: "success", counts: {} });
  const dash = await serveDashboard({ warehouse: w, outDir: dir, host: "127.0.0.1", port: 0, now: () => nowMs });
  const [busy] = await w.query<{ wallet: string }>("SELECT from_address AS wallet FROM transfers WHERE from_address LIKE 'W%' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1");
  const wa = `/api/wallets/${busy.wallet}`;
  const endpoints = [
    "/api/overview", "/api/charts", "/api/alerts?status=active", "/api/anomalies?limit=200", "/api/health", wa,
    `${wa}/activity`, `${wa}/activity?token=TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t&direction=in&sort=amount&order=desc&page=3&page_size=25`,
  ];
  console.log(`\n== Dashboard API over ${transfers.toLocaleString("en-US")} transfers, ${wallets.toLocaleString("en-US")} wallets (20 requests each, after 2 warm-ups)`);
  for (const path of endpoints) {
    const times: number[] = [];
    for (let i = 0; i < 22; i++) {
      const t0 = performance.now();
      const r = await fetch(new URL(path, dash.url));
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
      if (i >= 2) times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)].toFixed(0);
    console.log(`  ${path.replace(busy.wallet, "<wallet>").padEnd(118)} p50 ${q(0.5).padStart(5)} ms   p95 ${q(0.95).padStart(5)} ms`);
  }
  const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (existsSync(chromium)) {
    const { chromium: pw } = await import("playwright-core");
    const browser = await pw.launch({ executablePath: chromium, args: ["--no-sandbox", "--disable-gpu"] });
    const page = await browser.newPage();
    const loads: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await page.goto(dash.url);
      await page.waitForFunction(() => document.body.dataset.loaded === "overview");
      loads.push(performance.now() - t0);
    }
    await browser.close();
    loads.sort((a, b) => a - b);
    console.log(`  overview page in chromium, navigation to fully rendered: median ${loads[2].toFixed(0)} ms (of 5 loads)`);
  } else console.log(`  (no browser at ${chromium}: overview load time not measured)`);
  await dash.close();
  await w.close();
  rmSync(dir, { recursive: true, force: true });
}
