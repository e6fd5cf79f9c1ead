// scratch: build a synthetic warehouse file for experiments
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { synthesize } from "./rules.ts";
import { refreshRollup } from "../src/rules/rollup.ts";
import { evaluateRules } from "../src/rules/evaluate.ts";
import { rulesFromConfig, saveRules } from "../src/rules/store.ts";
import { detectAnomalies } from "../src/anomalies/detect.ts";
import { parseConfig } from "../src/config/load.ts";
const [path, n, wallets, detect] = process.argv.slice(2);
const w = await createDuckDbWarehouse({ path, memoryLimit: "2GB" });
await w.migrate();
const nowMs = Date.parse("2026-06-01T00:00:00Z");
let t = performance.now();
await synthesize(w, { transfers: Number(n), wallets: Number(wallets), nowMs });
console.log("synth", performance.now() - t);
const config = parseConfig({ wallets: [{ address: "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF" }] });
await saveRules(w, rulesFromConfig(config));
t = performance.now();
await refreshRollup(w);
console.log("rollup", performance.now() - t);
if (detect) {
  await evaluateRules({ warehouse: w, nowMs, outDir: "/tmp/exp" });
  t = performance.now();
  await detectAnomalies({ warehouse: w, config, nowMs, outDir: "/tmp/exp" });
  console.log("detect", performance.now() - t);
}
await w.close();
