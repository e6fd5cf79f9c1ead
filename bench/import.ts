// `tronmon import` at size: emulator-shaped pages written to disk as an archive, then importPaths into a fresh
// DuckDB file; printed beside the in-memory pipeline figure (BENCH_IMPORT_TRANSFERS, default 200,000).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../src/internal/logger.ts";
import { importPaths } from "../src/pipeline/import.ts";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { pageChunks } from "./pages.ts";

export async function benchImport(total: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "tronmon-bench-import-"));
  const pagesDir = join(dir, "pages");
  mkdirSync(pagesDir);
  let files = 0;
  let transfers = 0;
  for (const chunk of pageChunks({ wallets: 50, transfers: total, chunkPages: 100 }))
    for (const p of chunk) {
      writeFileSync(join(pagesDir, `${String(files++).padStart(6, "0")}.json`), p.text);
      transfers += p.transfers;
    }
  const w = await createDuckDbWarehouse({ path: join(dir, "import.duckdb"), memoryLimit: "1GB" });
  await w.migrate();
  const t0 = performance.now();
  const s = await importPaths({
    paths: [pagesDir],
    warehouse: w,
    logger: silentLogger(),
    outDir: dir,
    structured: false,
  });
  const ms = performance.now() - t0;
  await w.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `\n== Import: ${files.toLocaleString("en-US")} page files, ${transfers.toLocaleString("en-US")} transfer records`,
  );
  console.log(
    `  tronmon import (importPaths): ${Math.round((transfers / ms) * 1000).toLocaleString("en-US")}/s transfers ` +
      `(${(ms / 1000).toFixed(1)} s; ${s.transfersNew.toLocaleString("en-US")} new transfers)`,
  );
  return (transfers / ms) * 1000;
}
