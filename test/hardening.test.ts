// Hostile input, hostile pages and leaked secrets: one case per defect found in the security and
// robustness review (issue "Runs on any fresh machine, and holds against hostile input..."). Each case was
// seen failing on the code before the fix.
import { createServer, type Server } from "node:http";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load.ts";
import { dashboardApp } from "../src/dashboard/server.ts";
import { MAX_BODY_BYTES } from "../src/dashboard/auth.ts";
import { serveMetrics, createMetrics } from "../src/service/prometheus.ts";
import { send, slackEscape } from "../src/notify/sinks.ts";
import { csvCell } from "../src/export/format.ts";
import { scrubUrls } from "../src/internal/scrub.ts";
import { commandName, parseIsoTime } from "../src/cli/context.ts";
import { applyEvaluation } from "../src/rules/lifecycle.ts";
import { actOnAlert, loadAlerts, saveTransitions } from "../src/rules/alert-store.ts";
import { normalizeRecords } from "../src/normalize/index.ts";
import { emptyBatch } from "../src/model/rows.ts";
import { FIXTURES, memoryWarehouse, tempDir, tronmon } from "./helpers.ts";
import type { NotifyEvent } from "../src/notify/events.ts";
import type { Alert } from "../src/model/alerts.ts";
import { readFileSync } from "node:fs";
import { stmt } from "./stmt.ts";

const W = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});
async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}

describe("dashboard requests", async () => {
  const w = await memoryWarehouse();
  const app = dashboardApp({ warehouse: w, outDir: tempDir(), host: "127.0.0.1", port: 8501, tokens: [] });
  const get = (path: string, headers: Record<string, string> = {}) =>
    app.request(`http://127.0.0.1:8501${path}`, { headers: { host: "127.0.0.1:8501", ...headers } });
  const post = (path: string, init: { headers?: Record<string, string>; body?: string }) =>
    app.request(`http://127.0.0.1:8501${path}`, {
      method: "POST",
      headers: { host: "127.0.0.1:8501", ...init.headers },
      body: init.body ?? "{}",
    });

  it("answers only to the host names it is bound to (DNS rebinding)", async () => {
    expect((await get("/api/overview", { host: "evil.example:8501" })).status).toBe(421);
    expect((await get("/api/overview", { host: "localhost:8501" })).status).toBe(200);
  });

  it("rejects unknown query parameters everywhere (each would bypass the cache)", async () => {
    for (const path of [
      "/api/overview?x=1",
      "/api/charts?x=1",
      "/api/health?x=1",
      `/api/wallets/${W}?x=1`,
      "/api/last-cycle?x=1",
    ]) {
      expect((await get(path)).status, path).toBe(400);
    }
  });

  it("an amount bound beyond 38 digits or with more decimals than the token has is a 400, not a 500", async () => {
    await w.setWallets([{ address: W }]);
    const base = `/api/wallets/${W}/activity?token=_&decimals=6`;
    expect((await get(`${base}&min=${"9".repeat(39)}`)).status).toBe(400);
    expect((await get(`${base}&min=${"9".repeat(38)}`)).status).toBe(400); // 38 digits of TRX are 44 digits of sun
    expect((await get(`${base}&min=1.1234567`)).status).toBe(400);
    expect((await get(`${base}&min=1.123456`)).status).toBe(200);
  });

  it("state changes need JSON, our header (or Authorization) and no foreign origin; bodies are capped", async () => {
    const act = "/api/alerts/0123456789abcdef/ack";
    const json = { "content-type": "application/json" };
    const body = JSON.stringify({ note: "x" });
    expect((await post(act, { headers: { "content-type": "text/plain" }, body })).status).toBe(403); // the form a hostile page can send
    expect(
      (await post(act, { headers: { ...json, "x-tronmon-request": "1", origin: "http://127.0.0.1:9999" }, body }))
        .status,
    ).toBe(403);
    expect(
      (await post(act, { headers: { "content-type": "text/plain", "x-tronmon-request": "1" }, body })).status,
    ).toBe(415);
    expect(
      (await post(act, { headers: { ...json, "x-tronmon-request": "1", origin: "http://127.0.0.1:8501" }, body }))
        .status,
    ).toBe(400); // through: no such alert
    const big = JSON.stringify({ note: "x".repeat(MAX_BODY_BYTES + 10) });
    expect(
      (
        await post(act, {
          headers: { ...json, "x-tronmon-request": "1", "content-length": String(big.length) },
          body: big,
        })
      ).status,
    ).toBe(413);
  });
});

describe("the metrics server", () => {
  it("off loopback it refuses to start without a token, and with one it asks for it", async () => {
    const probe = { live: () => ({ ok: true, detail: {} }), ready: () => ({ ok: true, detail: {} }) };
    await expect(
      serveMetrics({ port: 0, host: "0.0.0.0", metrics: createMetrics(), probe, tokens: [] }),
    ).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without an access token/);
    const { createHash } = await import("node:crypto");
    const s = await serveMetrics({
      port: 0,
      host: "127.0.0.1",
      metrics: createMetrics(),
      probe,
      tokens: [{ name: "prom", digest: createHash("sha256").update("scrape-secret-0123456789").digest() }],
    });
    servers.push(s);
    const url = `http://127.0.0.1:${(s.address() as { port: number }).port}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: "Bearer scrape-secret-0123456789" } })).status).toBe(200);
  });
});

describe("alerts: the lost acknowledgement", () => {
  it("an acknowledgement landing between evaluation's read and its write is kept", async () => {
    const w = await memoryWarehouse();
    const rule = {
      name: "r",
      kind: "count" as const,
      periodDays: 7,
      threshold: "3",
      tokenId: "",
      direction: "any" as const,
      wallets: null,
      enabled: true,
      tokenSymbol: null,
    };
    const rules = new Map([["r", rule]]);
    const first = applyEvaluation({
      active: [],
      breaches: [{ ruleName: "r", wallet: W, value: "4" }],
      rules,
      nowMs: 1000,
    });
    await w.transaction((q) => saveTransitions(q, w, first));
    const read: Alert[] = await loadAlerts(w); // evaluation reads...
    await actOnAlert(w, { id: read[0].alertId, action: "ack", note: "on it", by: "alice", nowMs: 1500 }); // ...a person acknowledges...
    const changed = applyEvaluation({
      active: read,
      breaches: [{ ruleName: "r", wallet: W, value: "5" }],
      rules,
      nowMs: 2000,
    });
    await w.transaction((q) => saveTransitions(q, w, changed)); // ...evaluation writes what it decided
    const [a] = await loadAlerts(w);
    expect({ status: a.status, note: a.note, by: a.actedBy, value: a.value }).toEqual({
      status: "acknowledged",
      note: "on it",
      by: "alice",
      value: "5",
    });
    // a person resolving between read and write is not reopened or overwritten either
    const read2 = await loadAlerts(w);
    await actOnAlert(w, { id: a.alertId, action: "resolve", note: "false positive", by: "bob", nowMs: 2500 });
    await w.transaction((q) =>
      saveTransitions(q, w, applyEvaluation({ active: read2, breaches: [], rules, nowMs: 3000 })),
    );
    const [b] = await loadAlerts(w);
    expect({ status: b.status, note: b.note, by: b.actedBy, resolved: b.resolvedAtMs }).toEqual({
      status: "resolved",
      note: "false positive",
      by: "bob",
      resolved: 2500,
    });
    await w.close();
  });
});

describe("secrets and what we send", () => {
  const event: NotifyEvent = {
    eventId: "anomaly:x",
    kind: "anomaly",
    event: "detected",
    severity: "warning",
    name: "fake_token",
    wallet: W,
    occurredMs: 0,
    text: 'Token "<!channel> <https://phish.example|Claim>" & co',
    data: {},
  } as NotifyEvent;
  const sink = (over: Record<string, unknown>) =>
    parseConfig({
      wallets: [{ address: W }],
      notify: { sinks: [{ name: "s", kind: "webhook", url_env: "TEST_HARD_URL", ...over }] },
    }).notify.sinks[0];

  it("no URL secret in any message: userinfo, path and query of every URL are scrubbed", async () => {
    expect(scrubUrls("failed https://user:hunter2@hooks.example.com/services/T0/B0/XYZ?token=abc now")).toBe(
      "failed https://hooks.example.com/… now",
    );
    process.env.TEST_HARD_URL = "https://user:hunter2@hooks.example.com/services/T0/B0/XYZ";
    const e = await send(sink({}), event, { timeoutMs: 500 }).catch((x: Error) => x);
    expect(String(e)).not.toMatch(/hunter2|services|XYZ/);
    // a receiver that echoes the URL back in its error body
    const url = await listen((req, res) => {
      res.writeHead(500);
      res.end(`bad request to http://127.0.0.1${req.url}?key=sekrit`);
    });
    process.env.TEST_HARD_URL = `${url}/hook/sekrit-path`;
    const echoed = await send(sink({}), event, { timeoutMs: 500 }).catch((x: Error) => x);
    expect(String(echoed)).toMatch(/HTTP 500/);
    expect(String(echoed)).not.toMatch(/sekrit/);
  });

  it("a receiver's huge answer is read 4 KiB at most; a redirect is not followed; answering then stalling fails within the timeout", async () => {
    const huge = await listen((_req, res) => {
      res.writeHead(500);
      const chunk = "x".repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 6400 && res.write(chunk)) sent++;
        if (sent < 6400) res.once("drain", pump);
        else res.end();
      }; // 400 MB if read whole
      pump();
    });
    process.env.TEST_HARD_URL = huge;
    const t0 = Date.now();
    const err = await send(sink({}), event, { timeoutMs: 5000 }).catch((x: Error) => x);
    expect(String(err)).toMatch(/HTTP 500: x{10}/);
    expect(Date.now() - t0).toBeLessThan(2000);
    let elsewhere = 0;
    const other = await listen((_req, res) => {
      elsewhere++;
      res.end("ok");
    });
    process.env.TEST_HARD_URL = await listen((_req, res) => {
      res.writeHead(307, { location: other });
      res.end();
    });
    expect(String(await send(sink({}), event, { timeoutMs: 500 }).catch((x: Error) => x))).toMatch(
      /HTTP 307: a redirect, not followed/,
    );
    expect(elsewhere).toBe(0);
    process.env.TEST_HARD_URL = await listen((_req, res) => {
      res.writeHead(200);
      res.write("{");
    }); // and then nothing
    expect(String(await send(sink({}), event, { timeoutMs: 300 }).catch((x: Error) => x))).toMatch(
      /timed out after 300 ms/,
    );
    delete process.env.TEST_HARD_URL;
  });

  it("Slack text from the chain can neither ping a channel nor disguise a link; CSV cells never read as formulas", () => {
    expect(slackEscape(event.text)).toBe('Token "&lt;!channel&gt; &lt;https://phish.example|Claim&gt;" &amp; co');
    expect(['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain", "TR7NH"].map(csvCell)).toEqual([
      '"\'=HYPERLINK(""http://x"")"',
      "'+1",
      "'-2+3",
      "'@SUM(A1)",
      "'\tx",
      '"\'\rx"',
      "plain",
      "TR7NH",
    ]);
  });
});

describe("bad input from TronScan never blocks a wallet", () => {
  const page = (name: string, key: string) =>
    JSON.parse(readFileSync(join(FIXTURES, "endpoints", name), "utf8"))[key] as Record<string, unknown>[];
  const deep = () => {
    let v: unknown = 1;
    for (let i = 0; i < 200_000; i++) v = [v];
    return v;
  };
  const NASTY: unknown[] = [
    null,
    -1,
    1e21,
    "12345678901234567890",
    "",
    "x".repeat(100_000),
    {},
    [],
    { toString: 1 },
    true,
    "NaN",
    -0.5,
    2 ** 64,
  ];
  const shapes = [
    { endpoint: "transaction" as const, good: page("transaction_1.json", "data")[0] },
    { endpoint: "transfer" as const, good: page("transfer_1.json", "data")[0] },
    { endpoint: "trc20" as const, good: page("token_trc20_transfers_1.json", "token_transfers")[0] },
    {
      endpoint: "internal" as const,
      good: {
        hash: "ab".repeat(32),
        internal_hash: "cd".repeat(32),
        block: 1,
        timestamp: 1_700_000_000_000,
        from: W,
        to: "TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa",
        call_value: 5,
        token_id: "_",
        confirmed: true,
        result: "SUCCESS",
      },
    },
  ];

  it("fuzz: every field of each real record shape set to hostile values: nothing throws, the good record loads beside them, every bad one is quarantined with a reason", async () => {
    const w = await memoryWarehouse();
    await w.setWallets([{ address: W }]);
    for (const { endpoint, good } of shapes) {
      const variants: unknown[] = [];
      const paths: string[][] = [];
      const walk = (o: unknown, path: string[]) => {
        if (typeof o !== "object" || o === null || path.length > 2) return;
        for (const k of Object.keys(o)) {
          paths.push([...path, k]);
          walk((o as Record<string, unknown>)[k], [...path, k]);
        }
      };
      walk(good, []);
      for (const p of paths) {
        for (const v of [...NASTY, deep()]) {
          const copy = structuredClone(good) as Record<string, unknown>;
          let at = copy;
          for (const k of p.slice(0, -1)) at = at[k] as Record<string, unknown>;
          at[p.at(-1)!] = v;
          variants.push(copy);
        }
      }
      variants.push(
        ...[-3, 1_000_000].map((d) => ({
          ...good,
          tokenInfo: { ...((good as Record<string, unknown>).tokenInfo as object), tokenDecimal: d },
        })),
      );
      const batch = normalizeRecords({
        nowMs: Date.now(),
        endpoint,
        records: [good, ...variants],
        observedAtMs: Date.parse("2026-12-01T00:00:00Z"),
        wallet: W,
      });
      const produced = new Set([
        ...batch.transactions.map((t) => t.hash),
        ...batch.transfers.map((t) => t.transactionId),
      ]);
      expect(produced.size, endpoint).toBeGreaterThan(0);
      expect(batch.quarantined.length, endpoint).toBeGreaterThan(paths.length); // many variants are bad...
      expect(batch.quarantined.every((q) => q.reason.length > 0)).toBe(true); // ...and each says why
      for (const t of batch.transfers)
        expect(t.tokenDecimals === null || (t.tokenDecimals >= 0 && t.tokenDecimals <= 77)).toBe(true);
      // the whole page loads: nothing in it can break the load for the good record
      const counts = await w.load({ batch: { ...emptyBatch(), ...batch }, runId: "fuzz" });
      expect(counts.quarantined, endpoint).toBe(batch.quarantined.length);
    }
    const [q] = await w.query<{ n: number }>(stmt("SELECT count(*)::INTEGER AS n FROM quarantine"));
    expect(q.n).toBeGreaterThan(100);
    await w.close();
  }, 120_000);
});

describe("command line", () => {
  it("times are ISO 8601 only: '12' and impossible dates are refused; the real command is named, not the config path", () => {
    expect(() => parseIsoTime("12", "--now", "evaluate")).toThrow(/not an ISO 8601 date/);
    expect(() => parseIsoTime("2024-02-30", "--now", "evaluate")).toThrow(/not an ISO 8601 date/);
    expect(() => parseIsoTime("2026-03-01T12:00:00", "--now", "evaluate")).toThrow(/with Z or an offset/); // no zone: ambiguous
    expect(parseIsoTime("2024-02-29", "--now", "x")).toBe(Date.parse("2024-02-29T00:00:00Z"));
    expect(parseIsoTime("2026-03-01T12:00:00+02:00", "--now", "x")).toBe(Date.parse("2026-03-01T10:00:00Z"));
    expect(commandName(["--config", "x.yaml", "dashboard", "--port", "1"])).toBe("dashboard");
    expect(commandName(["-c", "run", "watch"])).toBe("watch");
  });

  it("as a user runs it: bad arguments exit 2; export | head ends quietly; a write error names the file and claims nothing; import refuses odd archives by name", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tronmon.config.yaml"), `wallets:\n  - address: ${W}\n`);
    expect((await tronmon(["import", join(FIXTURES, "seed-pages")], dir)).code).toBe(0);
    const now12 = await tronmon(["evaluate", "--now", "12"], dir);
    expect([now12.code, now12.stderr]).toEqual([2, expect.stringMatching(/--now "12" is not an ISO 8601 date/)]);
    expect((await tronmon(["anomalies", "list", "--limit", "-5"], dir)).code).toBe(2);
    const { spawnSync } = await import("node:child_process");
    const piped = spawnSync(
      "bash",
      [
        "-c",
        `node ${join(import.meta.dirname, "../bin/tronmon.js")} export transfers --format csv | head -1; echo "code=\${PIPESTATUS[0]}"`,
      ],
      { cwd: dir, encoding: "utf8" },
    );
    expect(piped.stdout).toMatch(/^transfer_id,transaction_id/);
    expect(piped.stdout).toMatch(/code=0\n$/);
    expect(piped.stderr).not.toMatch(/EPIPE|Error/);
    const full = await tronmon(["export", "transfers", "--out", "/dev/full"], dir);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/could not write \/dev\/full: ENOSPC/);
    expect(full.stderr).not.toMatch(/wrote/);
    mkdirSync(join(dir, "a-folder"));
    const folder = await tronmon(["export", "transfers", "--out", "a-folder"], dir);
    expect([folder.code, folder.stderr]).toEqual([2, expect.stringMatching(/--out a-folder is a folder/)]);
    writeFileSync(
      join(dir, "ctor.json"),
      JSON.stringify({ format: "tronmon-raw-page/1", endpoint: "constructor", body: { data: [] } }),
    );
    writeFileSync(
      join(dir, "odd.json"),
      JSON.stringify({ format: "tronmon-raw-page/1", endpoint: "blocks", body: { data: [{ hash: "x" }] } }),
    );
    const odd = await tronmon(["import", "ctor.json", "odd.json"], dir);
    expect(odd.code).toBe(0);
    expect(odd.stdout).toMatch(/imported 0 files/);
    expect(odd.stdout).toMatch(/skipped ctor.json: an archived page of an unknown endpoint "constructor"/);
    expect(odd.stdout).toMatch(/skipped odd.json: an archived page of an unknown endpoint "blocks"/);
    symlinkSync(join(dir, "loop-b"), join(dir, "loop-a"));
    symlinkSync(join(dir, "loop-a"), join(dir, "loop-b"));
    const loop = await tronmon(["import", "loop-a"], dir);
    expect([loop.code, loop.stderr]).toEqual([2, expect.stringMatching(/loop-a: a symbolic link that loops/)]);
  }, 120_000);
});
