// Dashboard API latency over a warehouse of N synthetic transfers (default 1,000,000), with rules evaluated
// and anomalies detected: p50 and p95 per endpoint, and the overview's load time in a browser.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { serveDashboard } from "../src/dashboard/server.ts";
import { evaluateRules } from "../src/rules/evaluate.ts";
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { rulesFromConfig, saveRules } from "../src/rules/alert-store.ts";
import { detectAnomalies } from "../src/anomalies/detect.ts";
import { parseConfig } from "../src/config/load.ts";
import { synthesize } from "./rules.ts";
import { stmt } from "../test/stmt.ts";

/** Returns the cold p95 (ms) per endpoint. */
export async function benchDashboard(transfers: number, wallets: number): Promise<Map<string, number>> {
  const coldP95 = new Map<string, number>();
  const dir = mkdtempSync(join(tmpdir(), "tronmon-bench-dash-"));
  const w = await createDuckDbWarehouse({ path: join(dir, "dash.duckdb"), memoryLimit: "2GB" });
  await w.migrate();
  const nowMs = Date.parse("2026-06-01T00:00:00Z");
  await synthesize(w, { transfers, wallets, nowMs });
  const config = parseConfig({ wallets: [{ address: "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF" }] });
  await saveRules(w, rulesFromConfig(config));
  await refreshRollup(w);
  await evaluateRules({ warehouse: w, nowMs, outDir: dir });
  await detectAnomalies({ warehouse: w, config, nowMs, outDir: dir });
  await w.recordRun({
    runId: "bench",
    command: "watch",
    startedAtMs: nowMs - 5000,
    endedAtMs: nowMs,
    status: "success",
    counts: {},
  });
  // the synthetic wallets are not valid base58check addresses (the API validates them): give one a real address
  const busy = { wallet: "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF" };
  const [synthetic] = await w.query<{ wallet: string }>(
    stmt("SELECT address AS wallet FROM wallets ORDER BY address LIMIT 1"),
  );
  for (const sql of [
    "UPDATE wallets SET address = ? WHERE address = ?",
    "UPDATE transfers SET from_address = ? WHERE from_address = ?",
    "UPDATE transfers SET to_address = ? WHERE to_address = ?",
    "UPDATE anomalies SET wallet = ? WHERE wallet = ?",
    "UPDATE alerts SET wallet = ? WHERE wallet = ?",
  ])
    await w.query(stmt(sql, [busy.wallet, synthetic.wallet]));
  const wa = `/api/wallets/${busy.wallet}`;
  const dash = await serveDashboard({ warehouse: w, outDir: dir, host: "127.0.0.1", port: 0, now: () => nowMs });
  const endpoints = [
    "/api/overview",
    "/api/charts",
    "/api/alerts?status=active",
    "/api/anomalies?limit=200",
    "/api/health",
    wa,
    `${wa}/activity`,
    `${wa}/activity?token=TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t&direction=in&sort=amount&order=desc&page=3&page_size=25`,
  ];
  console.log(
    `\n== Dashboard API over ${transfers.toLocaleString("en-US")} transfers, ${wallets.toLocaleString("en-US")} wallets`,
  );
  console.log(
    "  cold: the first request after the data changed (computed); warm: repeated until the next change (cached). 20 of each.",
  );
  let run = 0;
  const get = async (path: string) => {
    const t0 = performance.now();
    const r = await fetch(new URL(path, dash.url));
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    return performance.now() - t0;
  };
  const pct = (xs: number[], p: number) =>
    [...xs]
      .sort((a, b) => a - b)
      [Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)].toFixed(0)
      .padStart(5);
  for (const path of endpoints) {
    const cold: number[] = [],
      warm: number[] = [];
    for (let i = 0; i < 20; i++) {
      // a new run in the log is what a cycle leaves: the cache no longer holds
      await w.recordRun({
        runId: `bench-${++run}`,
        command: "watch",
        startedAtMs: nowMs - 5000 + run,
        endedAtMs: nowMs,
        status: "success",
        counts: {},
      });
      cold.push(await get(path));
      warm.push(await get(path));
    }
    coldP95.set(
      path.replace(busy.wallet, "<wallet>").replace(/\?.*/, (q) => (q.length > 25 ? "?<filters>" : q)),
      Number(pct(cold, 0.95)),
    );
    console.log(
      `  ${path.replace(busy.wallet, "<wallet>").padEnd(118)} cold p50 ${pct(cold, 0.5)} ms  p95 ${pct(cold, 0.95)} ms · warm p50 ${pct(warm, 0.5)} ms  p95 ${pct(warm, 0.95)} ms`,
    );
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
    console.log(
      `  overview page in chromium, navigation to fully rendered: median ${loads[2].toFixed(0)} ms (of 5 loads)`,
    );
  } else console.log(`  (no browser at ${chromium}: overview load time not measured)`);
  await dash.close();
  await w.close();
  rmSync(dir, { recursive: true, force: true });
  return coldP95;
}
