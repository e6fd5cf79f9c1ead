// Rule evaluation at scale: a synthetic warehouse of N transfers across W wallets, made in SQL.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { findBreaches, ruleInfos } from "../src/rules/evaluate.ts";
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { detectAnomalies } from "../src/anomalies/detect.ts";
import { rulesFromConfig, saveRules } from "../src/rules/alert-store.ts";
import { parseConfig } from "../src/config/load.ts";
import type { Warehouse } from "../src/warehouse/types.ts";
import { stmt } from "../test/stmt.ts";

const DAY = 86_400_000;

/** N transfers over the 60 days before `nowMs`: 90% USDT, 10% TRX, wallets in and out. */
export async function synthesize(
  w: Warehouse,
  args: { transfers: number; wallets: number; nowMs: number; offset?: number; spanMs?: number },
) {
  const off = args.offset ?? 0;
  const walletExpr = `'W' || lpad(CAST((i * 7919) % ${args.wallets} AS VARCHAR), 33, '0')`;
  await w.query(
    stmt(
      `INSERT INTO wallets SELECT 'W' || lpad(CAST(i AS VARCHAR), 33, '0'), NULL, NULL FROM range(${args.wallets}) r(i) WHERE ${off} = 0`,
    ),
  );
  await w.query(
    stmt(`INSERT INTO transfers SELECT
      md5(CAST(i AS VARCHAR)), md5('tx' || CAST(i AS VARCHAR)), 1, make_timestamp(ts * 1000), ts,
      CASE WHEN i % 2 = 0 THEN ${walletExpr} ELSE 'P' || CAST(i % 5000 AS VARCHAR) END,
      CASE WHEN i % 2 = 0 THEN 'P' || CAST(i % 5000 AS VARCHAR) ELSE ${walletExpr} END,
      CASE WHEN i % 10 = 0 THEN 'trx' ELSE 'trc20' END, CASE WHEN i % 10 = 0 THEN '_' ELSE 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' END,
      CASE WHEN i % 10 = 0 THEN 'TRX' ELSE 'USDT' END, CASE WHEN i % 10 = 0 THEN 'Tronix' ELSE 'Tether USD' END, 6, CAST(amt AS VARCHAR), CAST(amt AS DECIMAL(38,0)), NULL, true,
      CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'success' END, false, NULL, 'trc20', 0, date_trunc('millisecond', CAST(now() AS TIMESTAMP)), NULL, NULL
    FROM (SELECT i, ${args.nowMs} - ((i * 104729) % ${args.spanMs ?? 60 * DAY}) AS ts, ((i * 2654435761) % 100000000000) AS amt
          FROM range(${off}, ${off + args.transfers}) r(i))`),
  );
  // what a load does in the same transaction: mark the days touched for the rules' rollup
  await w.query(
    stmt(`INSERT INTO activity_days SELECT DISTINCT CAST(floor((${args.nowMs} - ((i * 104729) % ${args.spanMs ?? 60 * DAY})) / ${DAY}) AS BIGINT) * ${DAY}
    FROM range(${off}, ${off + args.transfers}) r(i) ON CONFLICT DO NOTHING`),
  );
}

export async function benchRules(
  transfers: number,
  walletCount: number,
): Promise<{ rulesMs: number; detectMs: number | null; rescoreMs: number | null }> {
  let detectMs: number | null = null;
  let rescoreMs: number | null = null;
  const dir = mkdtempSync(join(tmpdir(), "tronmon-bench-rules-"));
  const w = await createDuckDbWarehouse({ path: join(dir, "rules.duckdb"), memoryLimit: "2GB" });
  await w.migrate();
  const nowMs = Date.parse("2026-06-01T00:00:00Z");
  let t0 = performance.now();
  await synthesize(w, { transfers, wallets: walletCount, nowMs });
  const genS = (performance.now() - t0) / 1000;
  const config = parseConfig({ wallets: [{ address: "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF" }] });
  await saveRules(w, rulesFromConfig(config));
  const infos = await ruleInfos(w, rulesFromConfig(config));
  t0 = performance.now();
  const days = await refreshRollup(w);
  const rollupMs = performance.now() - t0;
  t0 = performance.now();
  const breaches = await findBreaches(w, infos, nowMs);
  const fullMs = performance.now() - t0;
  await synthesize(w, {
    transfers: 10_000,
    wallets: walletCount,
    nowMs: nowMs + 600_000,
    offset: transfers,
    spanMs: 600_000,
  });
  t0 = performance.now();
  const again = await findBreaches(w, infos, nowMs + 600_000);
  const incMs = performance.now() - t0;
  // anomaly detection: a full re-score of everything, then one cycle's 10,000 new transfers (BENCH_ANOMALIES=0
  // skips it)
  const anomalies = process.env.BENCH_ANOMALIES !== "0";
  if (anomalies) await w.query(stmt("DELETE FROM detector_state"));
  if (anomalies) {
    t0 = performance.now();
    const full = await detectAnomalies({ warehouse: w, config, nowMs: nowMs + 600_000, outDir: dir });
    rescoreMs = performance.now() - t0;
    await synthesize(w, {
      transfers: 10_000,
      wallets: walletCount,
      nowMs: nowMs + 1_200_000,
      offset: transfers + 10_000,
      spanMs: 600_000,
    });
    // in a cycle the rules' evaluation refreshes the rollups first (its figure includes it): so here
    t0 = performance.now();
    await refreshRollup(w);
    const refreshMs = performance.now() - t0;
    t0 = performance.now();
    const inc = await detectAnomalies({ warehouse: w, config, nowMs: nowMs + 1_200_000, outDir: dir });
    detectMs = performance.now() - t0;
    const total = (f: Record<string, number>) => Object.values(f).reduce((a, b) => a + b, 0);
    console.log(`\n== Anomalies over the same ${(transfers + 10_000).toLocaleString("en-US")} transfers`);
    console.log(
      `  full re-score of every transfer: ${(rescoreMs / 1000).toFixed(1)} s (${total(full.found)} anomalies: ${JSON.stringify(full.found)})`,
    );
    console.log(
      `  rollup refresh of the touched day (the cycle's, before rules): ${refreshMs.toFixed(0)} ms; then\n` +
        `  incremental detection after 10,000 new transfers: ${detectMs.toFixed(0)} ms (${total(inc.found)} new anomalies; per detector ms: ${JSON.stringify(inc.timingsMs)})`,
    );
    console.log(`  full re-score per detector ms: ${JSON.stringify(full.timingsMs)}`);
  }
  await w.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `\n== Rules: the 4 default rules over ${transfers.toLocaleString("en-US")} transfers across ${walletCount.toLocaleString("en-US")} wallets (made in ${genS.toFixed(0)} s)`,
  );
  console.log(
    `  daily rollup built once over the whole history (${days} days, as after a backfill): ${rollupMs.toFixed(0)} ms`,
  );
  console.log(`  evaluation of all rules: ${fullMs.toFixed(0)} ms (${breaches.length} breaches)`);
  console.log(
    `  after 10,000 new transfers, the next cycle's evaluation (rollup refresh of the touched day included): ${incMs.toFixed(0)} ms (${again.length} breaches)`,
  );
  return { rulesMs: incMs, detectMs, rescoreMs };
}
