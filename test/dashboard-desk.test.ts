// The analyst's desk in a real browser (Debian's chromium) over the emulator's data, one test per item the desk
// issue found broken (each seen failing before its fix), plus the queue, dispositions, suppressions, search, the
// wallets page, and a walk of every page in Spanish with no text left in English. Screenshots of every page at
// 1400 and 375 px in both languages go to test-artifacts/desk/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { serveDashboard } from "../src/dashboard/server.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { evaluateHealth } from "../src/health/checks.ts";
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { emptyBatch } from "../src/model/rows.ts";
import { ES } from "../src/dashboard/public/es.js";
import { buildTransfer } from "./builders.ts";
import { ROOT, syncedEmulator } from "./helpers.ts";
import { stmt } from "./stmt.ts";
import type { Warehouse } from "../src/warehouse/types.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "test-artifacts/desk");
const NOW = Date.parse("2026-03-10T12:00:00Z");
const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
/** A watched wallet with activity on one day only (its chart must not run into other years). */
const ONE_DAY = "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7";
const [HEAVY, BYBIT] = [ORIGINAL_WALLETS[0], ORIGINAL_WALLETS[1]];

const PAGES = [
  "/",
  "/queue",
  "/wallets",
  "/alerts",
  "/anomalies",
  "/risk",
  "/health",
  `/wallet/${HEAVY.address}`,
  `/wallet/${ONE_DAY}`,
];

let api: Awaited<ReturnType<typeof syncedEmulator>>["api"];
let w: Warehouse;
let dash: Awaited<ReturnType<typeof serveDashboard>>;
let browser: Browser;
const problems: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const fixture = await syncedEmulator({ seed: 7, days: 12, nowMs: NOW });
  ({ api, w } = fixture);
  const { config, dir } = fixture;
  // the one-day wallet: two transfers on 2026-03-09
  await w.setWallets([
    ...ORIGINAL_WALLETS.map((x) => ({ address: x.address, label: x.label })),
    { address: ONE_DAY, label: "One day" },
  ]);
  const day = Date.parse("2026-03-09T10:00:00Z");
  await w.load({
    batch: {
      ...emptyBatch(),
      transfers: [
        buildTransfer({
          fromAddress: HEAVY.address,
          toAddress: ONE_DAY,
          timestampMs: day,
          amountRaw: "5000000",
          transactionId: "a".repeat(64),
          transferId: "one-day-1",
        }),
        buildTransfer({
          fromAddress: ONE_DAY,
          toAddress: HEAVY.address,
          timestampMs: day + 60_000,
          amountRaw: "2000000",
          transactionId: "b".repeat(64),
          transferId: "one-day-2",
        }),
      ],
    },
    runId: "t",
  });
  await refreshRollup(w);
  // two failed cycles in a row, recorded the old way (one line per stream, 16 alike): a critical health alert
  const error = ORIGINAL_WALLETS.flatMap((x) =>
    ["transaction", "transfer", "trc20", "internal"].map(
      (ep) =>
        `${x.address} ${ep}: cannot reach TronScan at https://apilist.tronscanapi.com: network error: getaddrinfo ENOTFOUND`,
    ),
  ).join("\n");
  // (after the emulator's cycle, which the wall clock dated)
  const after = Date.now() + 60_000;
  for (const [i, id] of ["f1", "f2"].entries())
    await w.recordRun({
      runId: id,
      command: "watch",
      startedAtMs: after + i * 60_000,
      endedAtMs: after + i * 60_000 + 2000,
      status: "failed",
      error,
    });
  await w.recordRun({ runId: "now", command: "watch", startedAtMs: after + 3 * 60_000, status: "running" });
  expect((await evaluateHealth(w, config, NOW)).opened).toBeGreaterThanOrEqual(1);
  dash = await serveDashboard({ warehouse: w, outDir: join(dir, "out"), host: "127.0.0.1", port: 0, now: () => NOW });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  await w?.close();
  await api?.close();
});

async function open(path: string, o: { width?: number; clock?: boolean } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: o.width ?? 1400, height: 1000 }, locale: "en-US" });
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`${path}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`${path}: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`${path}: a browser dialog: ${d.message()}`);
    void d.dismiss();
  });
  if (o.clock) await page.clock.install();
  await page.goto(new URL(path, dash.url).toString());
  await loaded(page);
  return page;
}
const loaded = (page: Page) =>
  page.waitForFunction(() => document.body.dataset.loaded && !document.body.dataset.loaded.endsWith(":error"), null, {
    timeout: 30_000,
  });
const rows = (page: Page, table: string) => page.locator(`table[data-table="${table}"] tbody tr`);
const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const sqlCount = async (q: string, p: unknown[] = []) => Number((await w.query<{ n: string }>(stmt(q, p)))[0].n);

describe("broken before, fixed", () => {
  it("filters send only the fields filled in; include info works; the wallet box takes a label", async () => {
    const page = await open("/alerts");
    await page.evaluate(() => document.querySelector("main h1")!.setAttribute("data-old", "1"));
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForFunction(() => !document.querySelector("main h1[data-old]")); // rendered again, not refused
    expect(await page.locator(".error").count()).toBe(0);
    expect(new URL(page.url()).search).toBe(""); // nothing filled: nothing sent
    await page.fill('input[name="wallet"]', "bybit"); // a label, any case
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForFunction(() => document.body.dataset.view === "/alerts?wallet=bybit");
    const shown = await page
      .locator('table[data-table="alerts"] a[data-wallet]')
      .evaluateAll((as) => as.map((a) => a.getAttribute("data-wallet")));
    expect(shown.length).toBe(await sqlCount("SELECT count(*) AS n FROM alerts WHERE wallet = ?", [BYBIT.address]));
    expect(new Set(shown)).toEqual(new Set([BYBIT.address]));
    const a = await open("/anomalies");
    await a.check('input[name="info"]');
    await a.getByRole("button", { name: "Filter" }).click();
    await a.waitForFunction(() => document.body.dataset.view === "/anomalies?info=1");
    expect(await a.locator(".error").count()).toBe(0);
    expect(await rows(a, "anomalies").count()).toBeGreaterThan(0);
    await page.close();
    await a.close();
  });

  it("a fake USDT is flagged FAKE wherever it is shown: overview tokens, wallet tokens and activity", async () => {
    const [fake] = await w.query<{ token_id: string }>(
      stmt("SELECT DISTINCT token_id FROM transfers WHERE token_symbol = 'USDT' AND token_id <> ? LIMIT 1", [USDT]),
    );
    expect(fake).toBeTruthy();
    const page = await open("/");
    const fakeRow = page.locator(`table[data-table="tokens"] [data-imitation="${fake.token_id}"]`);
    expect(await fakeRow.locator(".flag").innerText()).toBe("FAKE");
    expect(
      await page.locator(`table[data-table="tokens"] tbody tr:has-text("${USDT.slice(0, 8)}") .flag`).count(),
    ).toBe(0);
    const wp = await open(`/wallet/${HEAVY.address}?token=${fake.token_id}`);
    expect(
      await wp.locator(`table[data-table="wallet-tokens"] [data-imitation="${fake.token_id}"] .flag`).count(),
    ).toBe(1);
    const activity = rows(wp, "activity");
    expect(await activity.count()).toBeGreaterThan(0);
    for (const r of await activity.all()) expect(await r.locator(".flag").innerText()).toBe("FAKE");
    await page.close();
    await wp.close();
  });

  it("the alerts table fits its card with every button visible at 1280, 1400 and 1920 px, and on a phone", async () => {
    for (const width of [1280, 1400, 1920, 375]) {
      const page = await open("/alerts", { width });
      const fits = await page.evaluate(() => {
        const card = document.querySelector('table[data-table="alerts"]')!.closest(".card")!;
        return { scroll: card.scrollWidth, client: card.clientWidth, doc: document.documentElement.scrollWidth };
      });
      expect(fits.scroll, `width ${width}`).toBeLessThanOrEqual(fits.client);
      expect(fits.doc, `width ${width}`).toBeLessThanOrEqual(width);
      for (const b of await page.locator("button[data-act]").all()) {
        const box = (await b.boundingBox())!;
        expect(box.x + box.width, `width ${width}`).toBeLessThanOrEqual(width);
      }
      await page.close();
    }
  });

  it("the 30 s refresh keeps the view (filter, page, sort in the URL) and leaves a half-typed filter and its focus alone", async () => {
    const page = await open(`/wallet/${HEAVY.address}`, { clock: true });
    await page.selectOption('select[name="token"]', USDT);
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForFunction(() => document.body.dataset.view?.includes("token=")); // rendered, not only asked
    await page.getByRole("button", { name: "next ›" }).click();
    await page.waitForFunction(() => document.querySelector("[data-pager]")?.textContent?.startsWith("page 2 "));
    // an idle page refreshes: the same view comes back
    await page.evaluate(() => document.querySelector("main h1")!.setAttribute("data-old", "1"));
    await page.clock.runFor(31_000);
    await page.waitForFunction(() => !document.querySelector("main h1[data-old]"));
    await page.waitForSelector("[data-pager]");
    expect(await page.locator("[data-pager]").innerText()).toMatch(/^page 2 /);
    expect(await page.locator('select[name="token"]').inputValue()).toBe(USDT);
    // someone typing: no refresh, the text and the focus stay
    await page.locator('input[name="min"]').click();
    await page.keyboard.type("12");
    await page.evaluate(() => document.querySelector("main h1")!.setAttribute("data-old", "1"));
    await page.clock.runFor(61_000);
    expect(await page.locator("main h1[data-old]").count()).toBe(1);
    expect(await page.locator('input[name="min"]').inputValue()).toBe("12");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("min");
    await page.close();
  });

  it("no stray null; KPI numbers never break inside; charts: real days, from 0, whole ticks, no US dates", async () => {
    for (const path of ["/", `/wallet/${HEAVY.address}`, `/wallet/${ONE_DAY}`]) {
      const page = await open(path);
      await page.waitForTimeout(300); // the charts draw on the next frame
      expect(await page.locator("main").innerText()).not.toMatch(/\bnull\b|\bundefined\b|NaN/);
      for (const v of await page.locator(".kpi .v").all()) {
        // one line per KPI: a number broken over two lines has two client rects for its text
        const lines = await v.evaluate((e) => {
          const r = document.createRange();
          r.selectNodeContents(e);
          return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size;
        });
        expect(lines, `${path} ${await v.innerText()}`).toBe(1);
      }
      for (const c of await page.locator(".chart[data-x-ticks]").all()) {
        const x = (await c.getAttribute("data-x-ticks"))!.split("|");
        const days = (await c.getAttribute("data-days"))!.split("|");
        for (const tick of x) expect(days, path).toContain(tick); // every labelled day is a day of the data
        for (const tick of x) expect(tick).toMatch(/^[A-Z][a-z]{2} \d{1,2}$/); // "Mar 9", never "3/9"
        const y = (await c.getAttribute("data-y-ticks"))!.split("|");
        expect(y[0]).toBe("0"); // bars stand on 0
        if ((await c.getAttribute("data-y-whole")) === "1")
          for (const tick of y) expect(tick).toMatch(/^[\d,.]+[KMB]?$/);
        expect(y.every((v) => !/\.5$/.test(v))).toBe(true);
      }
      await page.close();
    }
    // the one-day wallet's chart spans its day and the week before, in its own year
    const one = await open(`/wallet/${ONE_DAY}`);
    await one.waitForTimeout(300);
    expect(await one.locator(".chart").first().getAttribute("data-x-ticks")).toBe("Mar 9");
    await one.close();
  });

  it("at 375 px no page is wider than the screen", async () => {
    for (const path of PAGES) {
      const page = await open(path, { width: 375 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(375);
      await page.close();
    }
  });

  it("failed cycles: the overview says so in red, not 'running'; the health page merges 16 alike error lines; the limit is the configured 2", async () => {
    const page = await open("/");
    const banner = page.locator('[data-banner="health"]');
    expect(await banner.innerText()).toContain("health.consecutive_failures: 2 failed cycles in a row (fires at ≥ 2)");
    const last = page.locator(".kpi:has([data-kpi='Last cycle'])");
    expect(await last.getAttribute("class")).toContain("bad");
    expect(await last.locator(".v").innerText()).toMatch(/^failed, /);
    expect(await last.locator(".sub").innerText()).toMatch(/^one running since /);
    const h = await open("/health");
    const failed = rows(h, "runs").filter({ has: h.locator('.badge[data-value="failed"]') });
    const cell = failed.first().locator("td").last();
    // one line for the sixteen streams (the URL as every stored text shows it: scheme and host)
    expect((await cell.innerText()).trim()).toMatch(
      /^cannot reach TronScan at https:\/\/apilist\.tronscanapi\.com\S* network error: getaddrinfo ENOTFOUND \(×16\)$/,
    );
    expect(await rows(h, "health-alerts").first().innerText()).toContain("≥ 2");
    await page.close();
    await h.close();
  });
});

describe("the desk", () => {
  it("the queue: alerts and findings together, most severe first then newest, with labels", async () => {
    const page = await open("/queue");
    const items = await rows(page, "queue").evaluateAll((trs) =>
      trs.map((tr) => ({
        severity: tr.querySelector("td .badge")?.getAttribute("data-value"),
        when: tr.children[5]?.textContent,
        kind: tr.children[1]?.textContent,
      })),
    );
    const rank = { critical: 3, warning: 2, info: 1 } as Record<string, number>;
    for (let i = 1; i < items.length; i++) {
      const [a, b] = [items[i - 1], items[i]];
      expect(rank[a.severity!]).toBeGreaterThanOrEqual(rank[b.severity!]);
      if (a.severity === b.severity) expect(a.when! >= b.when!).toBe(true);
    }
    expect(new Set(items.map((i) => i.kind))).toEqual(new Set(["alert", "finding"]));
    // as many as SQL says: active alerts and unreviewed warning-or-worse findings
    const expected =
      (await sqlCount("SELECT count(*) AS n FROM alerts WHERE status IN ('open', 'acknowledged')")) +
      (await sqlCount(
        "SELECT count(*) AS n FROM anomalies WHERE reviewed_at_ms IS NULL AND suppressed_by IS NULL AND severity IN ('warning', 'critical')",
      ));
    expect(items.length).toBe(Math.min(200, expected));
    expect(await page.locator('table[data-table="queue"] a[data-wallet]').first().innerText()).not.toMatch(
      /^T[1-9A-Za-z]{5}…/,
    );
    await page.close();
  });

  it("closing a finding as a false positive with a suppression: recorded, gone from the queue, in the precision and suppression cards", async () => {
    const page = await open("/queue?kind=finding");
    const button = page.locator("button[data-close^='finding:']").first();
    const id = (await button.getAttribute("data-close"))!.slice("finding:".length);
    await button.click();
    await page.locator("dialog[open] input[name=disposition][value=false_positive]").check();
    await page.locator("dialog[open] textarea[name=note]").fill("known payroll counterparty");
    await page.locator("dialog[open] input[name=suppress]").check();
    await page.locator("dialog[open] input[name=factor]").fill("3");
    await page.locator("dialog[open] button[data-submit=finding]").click();
    await page.waitForFunction((x) => !document.querySelector(`button[data-close='finding:${x}']`), id);
    const [d] = await w.query<Record<string, string>>(
      stmt("SELECT disposition, reason, decided_by FROM dispositions WHERE item_kind = 'finding' AND item_id = ?", [
        id,
      ]),
    );
    expect(d).toEqual({ disposition: "false_positive", reason: "known payroll counterparty", decided_by: "local" });
    const [s] = await w.query<Record<string, string>>(
      stmt("SELECT suppression_id, kind, factor, created_by FROM suppressions"),
    );
    expect(s).toMatchObject({ kind: "detector", factor: "3", created_by: "local" });
    // the precision card's counts equal SQL's
    const card = await rows(page, "precision").evaluateAll((trs) =>
      trs.map((tr) => [...tr.children].map((td) => td.textContent)),
    );
    const sql = await w.query<Record<string, string>>(
      stmt(
        `SELECT source, sum(CASE WHEN disposition = 'false_positive' THEN 1 ELSE 0 END) AS fp FROM dispositions
        WHERE item_kind = 'finding' GROUP BY source`,
      ),
    );
    for (const r of sql) expect(card.some((c) => c[0] === r.source && c[2] === String(r.fp))).toBe(true);
    // removed from the suppressions card, it is ended in the database
    await page.locator(`button[data-unsuppress='${s.suppression_id}']`).click();
    await page.waitForFunction((x) => !document.querySelector(`button[data-unsuppress='${x}']`), s.suppression_id);
    expect(await sqlCount("SELECT count(*) AS n FROM suppressions WHERE removed_at_ms IS NOT NULL")).toBe(1);
    await page.close();
  });

  it("search: an address, a label and a transaction hash lead to their pages; the transaction shows every movement", async () => {
    const page = await open("/");
    const search = async (q: string) => {
      await page.fill('header input[name="q"]', q);
      await page.press('header input[name="q"]', "Enter");
    };
    await search(BYBIT.address);
    await page.waitForFunction((a) => document.body.dataset.view === `/wallet/${a}`, BYBIT.address);
    await search("binance-cold 4");
    await page.waitForFunction((a) => document.body.dataset.view === `/wallet/${a}`, HEAVY.address);
    const [tx] = await w.query<{ id: string; n: string }>(
      stmt("SELECT transaction_id AS id, count(*) AS n FROM transfers GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"),
    );
    await search(tx.id.toUpperCase());
    await page.waitForFunction((h) => document.body.dataset.view === `/tx/${h}`, tx.id);
    expect(await rows(page, "tx-movements").count()).toBe(Number(tx.n));
    expect(await page.locator("a.ext").getAttribute("href")).toBe(`https://tronscan.org/#/transaction/${tx.id}`);
    await search("nothing-like-this");
    await page.waitForFunction(() => document.body.dataset.view === "/search?q=nothing-like-this");
    expect(await page.locator('[data-search="none"]').innerText()).toContain("Nothing stored matches");
    await page.close();
  });

  it("the wallets page: every watched wallet with its open alerts and findings as SQL counts them", async () => {
    const page = await open("/wallets");
    expect(await rows(page, "wallets").count()).toBe(await sqlCount("SELECT count(*) AS n FROM wallets"));
    for (const r of await rows(page, "wallets").all()) {
      const address = (await r.locator("a[data-wallet]").getAttribute("data-wallet"))!;
      const openAlerts = await sqlCount(
        "SELECT count(*) AS n FROM alerts WHERE wallet = ? AND status IN ('open', 'acknowledged')",
        [address],
      );
      expect(await r.locator("td").nth(4).innerText()).toBe(String(openAlerts));
    }
    await page.close();
  });
});

describe("two languages", () => {
  it("every page in Spanish: nothing untranslated, numbers per locale; the choice is remembered", async () => {
    // the interface's English texts that read differently in Spanish: none may appear in a Spanish page's chrome
    const english = Object.keys(ES).filter((k) => ES[k as keyof typeof ES] !== k && k.length > 3 && !/\{/.test(k));
    const tx = (await w.query<{ id: string }>(stmt("SELECT transaction_id AS id FROM transfers LIMIT 1")))[0].id;
    const before = problems.length;
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: "es-ES" });
    for (const path of [...PAGES, `/tx/${tx}`, "/search?q=nada"]) {
      const page = await context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`es ${path}: ${m.text()}`);
      });
      await page.goto(new URL(path, dash.url).toString()); // no ?lang: the browser's language decides
      await loaded(page);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe("es");
      const chrome = await page.evaluate(() =>
        [
          ...document.querySelectorAll(
            "h1, h2, th, label, legend, button, nav a, .kpi .l, dt, p.muted, .banner, option",
          ),
        ]
          .filter((e) => !e.closest('[translate="no"]')) // data (a rule's name, a wallet's label), not the interface
          .map((e) =>
            e.childNodes.length
              ? [...e.childNodes]
                  .filter((n) => n.nodeType === 3)
                  .map((n) => n.textContent)
                  .join(" ")
              : "",
          )
          .join("\n"),
      );
      // whole words only ("transfer" is inside "transferencias")
      const word = (k: string) =>
        new RegExp(`(^|[^\\p{L}])${k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\p{L}])`, "u");
      for (const k of english) expect(word(k).test(chrome) ? `${path}: "${k}"` : null).toBeNull();
      await page.close();
    }
    expect(problems.slice(before)).toEqual([]); // no "untranslated (es)" from t()
    const page = await context.newPage();
    await page.goto(new URL("/?lang=en", dash.url).toString());
    await loaded(page);
    await page.goto(new URL("/", dash.url).toString()); // remembered: English although the browser says Spanish
    await loaded(page);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    await page.goto(new URL("/?lang=es", dash.url).toString());
    await loaded(page);
    expect(await page.locator("[data-kpi='Transactions (7 days)']").innerText()).toMatch(
      /^\d{1,3}(\.\d{3})+$|^\d{1,4}$/,
    ); // 5.881-style
    await context.close();
  });

  it("screenshots of every page at 1400 and 375 px in both languages; no console errors anywhere", async () => {
    for (const lang of ["en", "es"])
      for (const width of [1400, 375])
        for (const path of PAGES) {
          const page = await open(`${path}${path.includes("?") ? "&" : "?"}lang=${lang}`, { width });
          await page.waitForTimeout(200);
          await shot(page, `${lang}-${width}-${path.replace(/\W+/g, "_").slice(0, 24) || "overview"}`);
          expect(
            await page.evaluate(() => document.documentElement.scrollWidth),
            `${lang} ${width} ${path}`,
          ).toBeLessThanOrEqual(width);
          await page.close();
        }
    expect(problems).toEqual([]);
  });
});
