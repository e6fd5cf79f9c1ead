// scratch: prepare a 10M db as "fully scored", then time incremental detection after 10k new transfers
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { synthesize } from "./rules.ts";
import { refreshRollup } from "../src/rules/rollup.ts";
import { detectAnomalies } from "../src/anomalies/detect.ts";
import { parseConfig } from "../src/config/load.ts";
const [path, mode] = process.argv.slice(2);
const w = await createDuckDbWarehouse({ path, memoryLimit: "2GB" });
if (mode !== "sql") await w.migrate();
const nowMs = Date.parse("2026-06-01T00:00:00Z");
const only = process.env.ONLY;
const config = parseConfig({
  wallets: [{ address: "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF" }],
  ...(only ? { anomalies: { enabled: [only] } } : {}),
});
let t = performance.now();
if (mode === "sql") {
  for (const q of process.argv.slice(4)) console.log(await w.query(q));
} else if (mode === "refresh") {
  console.log("rollup days", await refreshRollup(w), performance.now() - t);
} else if (mode === "fixwm") {
  await w.query("UPDATE detector_state SET watermark_ms = (SELECT epoch_ms(max(first_seen_at)) + 1 FROM transfers)");
} else if (mode === "prep") {
  console.log("rollup days", await refreshRollup(w), performance.now() - t);
  await w.query("INSERT INTO counterparty_wallets SELECT address FROM wallets");
  await w.query(
    "INSERT OR REPLACE INTO detector_state (name, watermark_ms) SELECT 'transfers', epoch_ms(max(first_seen_at)) + 1 FROM transfers",
  );
} else {
  const [n] = await w.query<{ n: string }>("SELECT count(*) AS n FROM transfers");
  if (mode === "warm") {
    t = performance.now();
    await w.query(
      "SELECT count(*), sum(timestamp_ms), count(DISTINCT from_address), count(DISTINCT to_address) FROM transfers",
    );
    console.log("warm scan", performance.now() - t);
  }
  await synthesize(w, {
    transfers: 10_000,
    wallets: 10_000,
    nowMs: nowMs + 600_000,
    offset: Number(n.n),
    spanMs: 600_000,
  });
  t = performance.now();
  await refreshRollup(w);
  console.log("rollup refresh", performance.now() - t);
  if (process.env.PROFILE) {
    await w.query("PRAGMA enable_profiling='query_tree_optimizer'");
    await w.query("PRAGMA profiling_output='/tmp/exp/prof.txt'");
  }
  if (process.env.EXPLAIN) {
    const orig = w.query.bind(w);
    (w as { query: unknown }).query = async (q: never, p?: never) => {
      const l = (q as { label?: string }).label;
      if (l === process.env.EXPLAIN && process.env.JSONPROF) {
        await orig("PRAGMA enable_profiling='json'" as never);
        await orig("PRAGMA profiling_output='/tmp/exp/prof.json'" as never);
        const r = await orig(q, p);
        await orig("PRAGMA disable_profiling" as never);
        return r;
      }
      if (l === process.env.EXPLAIN) {
        const rows = await orig({ ...(q as object), text: "EXPLAIN ANALYZE " + (q as { text: string }).text } as never);
        console.log(Object.values(rows[0] as object).join("\n"));
      }
      return orig(q, p);
    };
  }
  const qt: string[] = [];
  w.onQuery((label, s) => qt.push(`${label}:${Math.round(s)}`));
  t = performance.now();
  const inc = await detectAnomalies({ warehouse: w, config, nowMs: nowMs + 600_000, outDir: "/tmp/exp" });
  console.log("incremental", performance.now() - t, JSON.stringify(inc.timingsMs), JSON.stringify(inc.found));
  console.log(qt.join(" "));
}
await w.close();
