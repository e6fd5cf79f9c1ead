// The dashboard in a real browser (playwright-core driving Debian's chromium) over the emulator's data,
import { DAY_MS } from "../src/model/time.ts";
// plus its security: text-only rendering of chain strings, tokens off loopback, validated parameters.
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { dashboardApp, serveDashboard } from "../src/dashboard/server.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { UsageError } from "../src/internal/errors.ts";
import { ROOT, openPage, syncedEmulator, tempDir, tronmon } from "./helpers.ts";
import type { Warehouse } from "../src/warehouse/types.ts";
import { stmt } from "./stmt.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "test-artifacts/dashboard");
const NOW = Date.parse("2026-03-10T12:00:00Z");
const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
const SCRIPT_LABEL = "<script>alert('label')</script>";
const DAY = DAY_MS;

let api: Awaited<ReturnType<typeof syncedEmulator>>["api"];
let w: Warehouse;
let dash: Awaited<ReturnType<typeof serveDashboard>>;
let browser: Browser;
const problems: string[] = [];
const dialogs: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // a label is ours, an address tag would be TronScan's: both must render as text
  const fixture = await syncedEmulator({
    seed: 7,
    days: 12,
    nowMs: NOW,
    label: (i) => (i === 1 ? SCRIPT_LABEL : ORIGINAL_WALLETS[i].label),
  });
  ({ api, w } = fixture);
  const dir = fixture.dir;
  dash = await serveDashboard({ warehouse: w, outDir: join(dir, "out"), host: "127.0.0.1", port: 0, now: () => NOW });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  await w?.close();
  await api?.close();
});

const open = (path: string, name: string): Promise<Page> =>
  openPage(browser, {
    base: dash.url,
    path,
    name,
    problems,
    onDialog: async (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      if (d.type() === "prompt") await d.accept("checked with the exchange");
      else await d.dismiss();
    },
  });
const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const kpi = (page: Page, label: string) => page.locator(`[data-kpi="${label}"]`).innerText();
const thousands = (s: string) =>
  s.replace(/^(\d+)(\.\d+)?$/, (_m, i: string, f?: string) => i.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (f ?? ""));
/** Exact token units from a raw integer string (hand-rolled here, not the code under test). */
function units(raw: string, decimals: number): string {
  const s = raw.padStart(decimals + 1, "0");
  const frac = s.slice(s.length - decimals).replace(/0+$/, "");
  return s.slice(0, s.length - decimals) + (frac ? `.${frac}` : "");
}

describe("dashboard in a browser", () => {
  it("overview: the KPIs equal the same numbers computed in SQL here; chain strings are text; no console errors", async () => {
    const page = await open("/", "overview");
    const [sql] = await w.query<Record<string, string>>(
      stmt(`SELECT
        (SELECT count(*) FROM wallets) AS wallets,
        (SELECT count(DISTINCT t.transaction_id) FROM (
           SELECT transaction_id, timestamp_ms, status FROM transfers WHERE from_address IN (SELECT address FROM wallets) OR to_address IN (SELECT address FROM wallets)
           UNION ALL SELECT hash, timestamp_ms, status FROM transactions WHERE owner_address IN (SELECT address FROM wallets) OR to_address IN (SELECT address FROM wallets)
         ) t WHERE t.status = 'success' AND t.timestamp_ms > ${NOW - 7 * DAY} AND t.timestamp_ms <= ${NOW}) AS tx7,
        (SELECT CAST(sum(amount_num) AS VARCHAR) FROM transfers WHERE token_id = '${USDT}' AND status = 'success' AND timestamp_ms > ${NOW - 30 * DAY} AND timestamp_ms <= ${NOW}
           AND (from_address IN (SELECT address FROM wallets) OR to_address IN (SELECT address FROM wallets))) AS usdt30,
        (SELECT count(*) FROM alerts WHERE status IN ('open', 'acknowledged')) AS open_alerts,
        (SELECT count(*) FROM anomalies WHERE (CASE WHEN occurred_at_ms IS NULL THEN detected_at_ms ELSE occurred_at_ms END) > ${NOW - DAY}) AS anomalies24`),
    );
    expect(Number(sql.tx7)).toBeGreaterThan(100);
    expect(await kpi(page, "Wallets watched")).toBe("4");
    expect(await kpi(page, "Transactions (7 days)")).toBe(thousands(sql.tx7));
    expect(await kpi(page, "USDT volume (30 days)")).toBe(thousands(units(sql.usdt30, 6)));
    expect(await kpi(page, "Open alerts")).toBe(sql.open_alerts);
    expect(await kpi(page, "Anomalies (24 h)")).toBe(sql.anomalies24);
    expect(Number(sql.anomalies24)).toBeGreaterThan(0);
    // the scam token's name and the label are shown as the very text, nothing is executed
    await expect(page.getByText("<img src=x onerror=alert(1)>").first().isVisible()).resolves.toBe(true);
    await expect(page.getByText(SCRIPT_LABEL, { exact: false }).first().isVisible()).resolves.toBe(true);
    expect(await page.locator("main img, main script").count()).toBe(0);
    expect(await page.locator("canvas").count()).toBeGreaterThanOrEqual(2); // the uPlot charts drew
    await shot(page, "overview");
    await page.close();
  });

  it("a click on a wallet opens its page; its table pages, sorts and filters like SQL says", async () => {
    const page = await open("/", "overview");
    const heavy = ORIGINAL_WALLETS[0];
    await page.locator(`main a[data-wallet="${heavy.address}"]`).first().click();
    await page.waitForFunction(() => document.body.dataset.loaded === "wallet");
    await page.waitForSelector("[data-pager]");
    expect(page.url()).toContain(`/wallet/${heavy.address}`);
    const count = async (where: string, p: unknown[] = []) =>
      Number(
        (
          await w.query<{ n: string }>(
            stmt(`SELECT count(*) AS n FROM wallet_activity WHERE wallet = ? ${where}`, [heavy.address, ...p]),
          )
        )[0].n,
      );
    const all = await count("");
    const pages = Math.ceil(all / 25);
    expect(await page.locator("[data-pager]").innerText()).toBe(`page 1 of ${pages} · ${thousands(String(all))} rows`);
    expect(await page.locator('table[data-table="activity"] tbody tr').count()).toBe(25);
    await page.getByRole("button", { name: "next ›" }).click();
    await page.waitForFunction(() => document.querySelector("[data-pager]")?.textContent?.startsWith("page 2 "));
    // filter: incoming USDT, successful
    await page.selectOption('select[name="token"]', USDT);
    await page.selectOption('select[name="direction"]', "in");
    await page.selectOption('select[name="status"]', "success");
    await page.getByRole("button", { name: "Filter" }).click();
    const inUsdt = await count("AND token_id = ? AND direction = 'in' AND status = 'success'", [USDT]);
    await page.waitForFunction(
      (n) => document.querySelector("[data-pager]")?.textContent?.endsWith(`${n} rows`),
      thousands(String(inUsdt)),
    );
    // amount range (token units, exact): 1,000 to 5,000 USDT
    await page.fill('input[name="min"]', "1000");
    await page.fill('input[name="max"]', "5000");
    await page.getByRole("button", { name: "Filter" }).click();
    const ranged = await count(
      "AND token_id = ? AND direction = 'in' AND status = 'success' AND amount_num >= 1000000000 AND amount_num <= 5000000000",
      [USDT],
    );
    await page.waitForFunction(
      (n) => document.querySelector("[data-pager]")?.textContent?.endsWith(` ${n} rows`),
      thousands(String(ranged)),
    );
    // sort by amount, descending: the first row is the largest
    // the header is a button (keyboard: Tab to it, Enter); aria-sort says the order
    await page.locator('th[data-sort="amount"] button').focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector('th[data-sort="amount"]')?.textContent?.includes("▼"));
    expect(await page.locator('th[data-sort="amount"]').getAttribute("aria-sort")).toBe("descending");
    expect(await page.locator('th[data-sort="time"]').getAttribute("aria-sort")).toBe("none");
    expect(new URL(page.url()).searchParams.get("sort")).toBe("amount"); // the view is in the URL
    const [top] = await w.query<{ amount: string }>(
      stmt(
        `SELECT amount FROM wallet_activity WHERE wallet = ? AND token_id = ? AND direction = 'in' AND status = 'success'
      AND amount_num >= 1000000000 AND amount_num <= 5000000000 ORDER BY amount_num DESC LIMIT 1`,
        [heavy.address, USDT],
      ),
    );
    expect(await page.locator('table[data-table="activity"] tbody tr').first().locator("td").nth(6).innerText()).toBe(
      thousands(top.amount),
    );
    await shot(page, "wallet");
    await page.close();
  });

  it("an alert acknowledged through the UI is acknowledged in the database, with the note and who", async () => {
    const page = await open("/alerts?status=open", "alerts");
    const id = await page.locator("button[data-act='ack']").first().getAttribute("data-alert");
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    await page.locator(`button[data-act='ack'][data-alert='${id}']`).click();
    // a form in a dialog, not prompt(): the note is typed there
    await page.locator("dialog[open] textarea[name=note]").fill("checked with the exchange");
    await page.locator("dialog[open] button[data-submit=ack]").click();
    await page.waitForFunction((x) => !document.querySelector(`button[data-act='ack'][data-alert='${x}']`), id);
    const [a] = await w.query<Record<string, string>>(
      stmt("SELECT status, note, acted_by FROM alerts WHERE alert_id = ?", [id]),
    );
    expect(a).toEqual({ status: "acknowledged", note: "checked with the exchange", acted_by: "local" });
    expect(dialogs).toEqual([]);
    await shot(page, "alerts");
    await page.close();
  });

  it("a hostile page on another origin cannot acknowledge or resolve (text/plain form, no-cors fetch); our own pages still can", async () => {
    const [target] = await w.query<{ alert_id: string }>(
      stmt("SELECT alert_id FROM alerts WHERE status = 'open' ORDER BY alert_id LIMIT 1"),
    );
    const id = target.alert_id;
    const hostile = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!doctype html><html><body>
        <form id="f" method="POST" enctype="text/plain" action="${dash.url}api/alerts/${id}/resolve"><input name='{"note":"pwned","x":"' value='"}'></form>
        <script>
          fetch("${dash.url}api/alerts/${id}/ack", { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: JSON.stringify({ note: "pwned" }) })
            .catch(() => {}).finally(() => { document.title = "fetched"; document.getElementById("f").submit(); });
        </script></body></html>`);
    });
    await new Promise<void>((r) => hostile.listen(0, "127.0.0.1", () => r()));
    try {
      const evil = await browser.newPage();
      await evil.goto(`http://127.0.0.1:${(hostile.address() as { port: number }).port}/`);
      await evil.waitForURL(/api\/alerts/, { timeout: 10_000 }); // the form was submitted and answered
      expect(await evil.content()).toContain("cross-origin requests may not change anything");
      await evil.close();
      const [after] = await w.query<Record<string, string | null>>(
        stmt("SELECT status, note FROM alerts WHERE alert_id = ?", [id]),
      );
      expect(after).toEqual({ status: "open", note: null });
    } finally {
      hostile.close();
    }
    // our page resolves it, with a disposition and a reason
    const page = await open("/alerts?status=open", "alerts");
    await page.locator(`button[data-act='resolve'][data-alert='${id}']`).click();
    await page.locator("dialog[open] input[name=disposition][value=benign]").check();
    await page.locator("dialog[open] textarea[name=note]").fill("checked with the exchange");
    await page.locator("dialog[open] button[data-submit=alert]").click();
    await page.waitForFunction((x) => !document.querySelector(`button[data-act='resolve'][data-alert='${x}']`), id);
    const [mine] = await w.query<Record<string, string>>(
      stmt("SELECT status, note, acted_by FROM alerts WHERE alert_id = ?", [id]),
    );
    expect(mine).toEqual({ status: "resolved", note: "benign: checked with the exchange", acted_by: "local" });
    const [d] = await w.query<Record<string, string>>(
      stmt("SELECT disposition, reason, decided_by FROM dispositions WHERE item_kind = 'alert' AND item_id = ?", [id]),
    );
    expect(d).toEqual({ disposition: "benign", reason: "checked with the exchange", decided_by: "local" });
    await page.close();
  });

  it("anomalies and health pages load; every page had no console errors and no browser dialog", async () => {
    const a = await open("/anomalies?type=address_poisoning", "anomalies");
    expect(await a.locator('table[data-table="anomalies"] tbody tr').first().innerText()).toContain(
      "address_poisoning",
    );
    await shot(a, "anomalies");
    await a.close();
    const h = await open("/health", "health");
    expect(await h.locator('table[data-table="runs"] tbody tr').count()).toBeGreaterThanOrEqual(1);
    await shot(h, "health");
    await h.close();
    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});

describe("dashboard security", () => {
  it("refuses to start on a non-loopback address without a token (also from the CLI, exit 2)", async () => {
    expect(() => dashboardApp({ warehouse: w, outDir: tempDir(), host: "0.0.0.0", port: 0, tokens: [] })).toThrow(
      UsageError,
    );
    const r = await tronmon(["dashboard", "--host", "0.0.0.0", "--db", join(tempDir(), "x.duckdb")], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("refusing to listen on 0.0.0.0 without an access token");
  });

  it("with tokens: a request without one is refused, a wrong one too; the right one works and names who acted", async () => {
    const { tokensFromEnv } = await import("../src/dashboard/access.ts");
    const tokens = tokensFromEnv({
      TRONMON_DASHBOARD_TOKENS: "alice:alice-secret-0123456789,bob:bob-secret-0123456789",
    });
    const s = await serveDashboard({
      warehouse: w,
      outDir: tempDir(),
      host: "127.0.0.1",
      port: 0,
      tokens,
      now: () => NOW,
    });
    try {
      expect((await fetch(new URL("/api/overview", s.url))).status).toBe(401);
      expect((await fetch(new URL("/", s.url))).status).toBe(401);
      expect(
        (await fetch(new URL("/api/overview", s.url), { headers: { authorization: "Bearer alice-secret-0123456780" } }))
          .status,
      ).toBe(401);
      expect(
        (await fetch(new URL("/api/overview", s.url), { headers: { authorization: "Bearer alice-secret-0123456789" } }))
          .status,
      ).toBe(200);
      const [open] = await w.query<{ alert_id: string }>(
        stmt("SELECT alert_id FROM alerts WHERE status = 'open' LIMIT 1"),
      );
      const r = await fetch(new URL(`/api/alerts/${open.alert_id}/resolve`, s.url), {
        method: "POST",
        headers: { authorization: "Bearer bob-secret-0123456789", "content-type": "application/json" },
        body: JSON.stringify({ note: "false positive" }),
      });
      expect(r.status).toBe(200);
      const [a] = await w.query<Record<string, string>>(
        stmt("SELECT status, acted_by, note FROM alerts WHERE alert_id = ?", [open.alert_id]),
      );
      expect(a).toEqual({ status: "resolved", acted_by: "bob", note: "false positive" });
    } finally {
      await s.close();
    }
  });

  it("SQL in a filter is rejected by validation and changes nothing", async () => {
    const before = await w.query(
      stmt(
        "SELECT (SELECT count(*) FROM transfers) AS t, (SELECT count(*) FROM alerts) AS a, (SELECT count(*) FROM anomalies) AS n",
      ),
    );
    const heavy = ORIGINAL_WALLETS[0].address;
    for (const q of [
      `/api/wallets/${heavy}/activity?token=${encodeURIComponent("_' OR 1=1; DROP TABLE transfers; --")}`,
      `/api/wallets/${heavy}/activity?sort=${encodeURIComponent("amount_num; DELETE FROM alerts")}`,
      `/api/wallets/${heavy}/activity?min=${encodeURIComponent("1 OR 1=1")}&token=_&decimals=6`,
      `/api/alerts?wallet=${encodeURIComponent("x' OR '1'='1")}`,
      `/api/anomalies?type=${encodeURIComponent("spam_token' --")}`,
      `/api/alerts?status=open&extra=1`,
      `/api/wallets/${encodeURIComponent("T' OR 1=1 --")}`,
    ]) {
      const r = await fetch(new URL(q, dash.url));
      expect(r.status, q).toBe(400);
      expect((await r.json()).error).toBeTruthy();
    }
    expect(
      await w.query(
        stmt(
          "SELECT (SELECT count(*) FROM transfers) AS t, (SELECT count(*) FROM alerts) AS a, (SELECT count(*) FROM anomalies) AS n",
        ),
      ),
    ).toEqual(before);
  });
});
