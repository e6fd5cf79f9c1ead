// The dashboard over imported history (the recorded seed pages, October 2025) viewed today: the pages say the
// data is older than their windows and show it "as of the newest data"; the anomaly feed groups findings and a
// person marks them reviewed through the UI.
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectAnomalies } from "../src/anomalies/detect.ts";
import { parseConfig } from "../src/config/load.ts";
import { serveDashboard } from "../src/dashboard/server.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { DAY_MS } from "../src/model/time.ts";
import { importPaths } from "../src/pipeline/import.ts";
import type { Warehouse } from "../src/warehouse/types.ts";
import { FIXTURES, memoryWarehouse, openPage, tempDir } from "./helpers.ts";
import { stmt } from "./stmt.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const TODAY = Date.parse("2026-12-02T09:00:00Z"); // the dashboard's "now": over a year after the data
const WALLETS = [
  "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF",
  "TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa",
  "TWpqsYjAw7rFPmWeZcwKQanCS6Kk8f5dhT",
  "TFTWNgDBkQ5wQoP8RXpRznnHvAVV8x5jLu",
];

let w: Warehouse;
let dash: Awaited<ReturnType<typeof serveDashboard>>;
let browser: Browser;
let newest: number;
const problems: string[] = [];

beforeAll(async () => {
  w = await memoryWarehouse();
  await w.setWallets(WALLETS.map((address) => ({ address })));
  const out = tempDir();
  await importPaths({
    paths: [join(FIXTURES, "seed-pages")],
    warehouse: w,
    logger: silentLogger(),
    outDir: out,
    structured: false,
  });
  const [t] = await w.query<{ ms: string }>(stmt("SELECT max(timestamp_ms) AS ms FROM wallet_activity"));
  newest = Number(t.ms);
  // the global settings (no profile): plenty of findings to group
  const config = parseConfig({ wallets: WALLETS.map((address) => ({ address })) });
  await refreshRollup(w);
  await detectAnomalies({ warehouse: w, config, nowMs: newest + 1, outDir: out });
  dash = await serveDashboard({ warehouse: w, outDir: out, host: "127.0.0.1", port: 0, now: () => TODAY });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  await w?.close();
});

const open = (path: string, name: string): Promise<Page> => openPage(browser, { base: dash.url, path, name, problems });

describe("dashboard over imported history", () => {
  it("says the data is older than its windows; 'as of the newest data' gives the KPIs SQL computes at that time", async () => {
    const page = await open("/", "overview");
    const banner = page.locator("[data-banner='stale']");
    expect(await banner.innerText()).toContain(`${new Date(newest).toISOString().slice(0, 10)}`);
    expect(await page.locator("[data-kpi='Transactions (7 days)']").innerText()).toBe("0"); // counted back from today
    await page.locator("[data-as-of='newest']").click();
    await page.waitForFunction(
      () => document.body.dataset.loaded === "overview" && !!document.querySelector("[data-banner='as-of']"),
    );
    // the same window computed here: distinct successful transactions of the watched wallets in (newest - 7 d, newest]
    const [sql] = await w.query<{ n: string }>(
      stmt(
        `SELECT count(DISTINCT transaction_id) AS n FROM wallet_activity
        WHERE status = 'success' AND timestamp_ms > ? AND timestamp_ms <= ?`,
        [newest - 7 * DAY_MS, newest],
      ),
    );
    expect(Number(sql.n)).toBeGreaterThan(100);
    const shown = (await page.locator("[data-kpi='Transactions (7 days)']").innerText()).replace(/,/g, "");
    expect(shown).toBe(sql.n);
    // the charts' days lie in the data's window, never in the future
    const charts = await (await fetch(new URL("/api/charts?as_of=newest", dash.url))).json();
    const days = [...charts.daily_30d, ...charts.anomalies_daily].map((d: { day: string }) => Date.parse(d.day));
    expect(days.length).toBeGreaterThan(0);
    for (const d of days) {
      expect(d).toBeLessThanOrEqual(newest);
      expect(d).toBeGreaterThan(newest - 31 * DAY_MS);
    }
    await page.close();
  });

  it("the feed groups findings by wallet x type x day (counts equal SQL); 'mark reviewed' is recorded with who and when", async () => {
    const page = await open("/anomalies?info=1", "anomalies");
    const expected = await w.query<{ wallet: string; anomaly_type: string; n: string }>(
      stmt(`SELECT wallet, anomaly_type, CAST(floor(COALESCE(occurred_at_ms, detected_at_ms) / 86400000) AS BIGINT) AS d,
         count(*) AS n FROM anomalies GROUP BY 1, 2, 3`),
    );
    const rows = page.locator("table[data-table='feed'] tbody tr");
    expect(await rows.count()).toBe(expected.length);
    const feed = await (await fetch(new URL("/api/anomalies/feed?min_severity=info&limit=1000", dash.url))).json();
    expect(feed.map((r: { count: number }) => r.count).reduce((a: number, b: number) => a + b, 0)).toBe(
      expected.reduce((a, r) => a + Number(r.n), 0),
    );
    const first = feed[0];
    await page.locator("button[data-review]").first().click();
    await page.waitForFunction(
      (n) => document.querySelectorAll("button[data-review]").length === n - 1,
      await page.locator("button[data-review]").count(),
    );
    const [mark] = await w.query<{ n: string; by: string; at: string }>(
      stmt(
        `SELECT count(*) AS n, max(reviewed_by) AS by, max(reviewed_at_ms) AS at FROM anomalies
        WHERE wallet = ? AND anomaly_type = ? AND reviewed_at_ms IS NOT NULL`,
        [first.wallet, first.type],
      ),
    );
    expect({ n: Number(mark.n), by: mark.by, at: Number(mark.at) }).toEqual({ n: first.count, by: "local", at: TODAY });
    expect(problems).toEqual([]);
    await page.close();
  });
});
