// Notifications against local HTTP receivers: signatures, retries with dedup, crash before delivery, a dead sink.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createHmac } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load.ts";
import { deliverDue, enqueue, notify } from "../src/notify/delivery.ts";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { createLogger } from "../src/internal/logger.ts";
import { tempDir } from "./helpers.ts";
import type { Warehouse } from "../src/warehouse/types.ts";
import { stmt } from "./stmt.ts";

const W = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
const NOW = Date.parse("2026-03-10T12:00:00Z");
const SECRET = "whsec-test-0123456789";

type Hit = { path: string; headers: IncomingMessage["headers"]; body: string };
async function receiver(
  answer: (hit: Hit, n: number) => number | "hang",
): Promise<{ url: string; hits: Hit[]; server: Server }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const hit = { path: req.url ?? "", headers: req.headers, body };
      hits.push(hit);
      const a = answer(hit, hits.length);
      if (a === "hang") return; // never answers
      res.writeHead(a, { "content-type": "application/json" });
      res.end(a === 200 ? '{"ok":true}' : '{"error":"receiver down"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, hits, server };
}

const servers: Server[] = [];
let w: Warehouse;
let dir: string;
beforeEach(async () => {
  dir = tempDir();
  w = await createDuckDbWarehouse({ path: join(dir, "n.duckdb") });
  await w.migrate();
});
afterEach(async () => {
  await w.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
  for (const k of Object.keys(process.env)) if (k.startsWith("TEST_SINK_")) delete process.env[k];
});

/** Three anomalies detected at NOW, about transfers at NOW (fresh). */
async function seedAnomalies(n = 3) {
  for (let i = 0; i < n; i++) {
    await w.query(
      stmt(
        `INSERT INTO anomalies VALUES (?, 'address_poisoning', ?, ?, ?, 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', 'USDT', '0', '0',
        ?, '{}', ?, ?, false, 'critical', NULL, NULL, NULL)`,
        [`a${i}`, W, `tx${i}`, `tr${i}`, `Received 0 USDT from a lookalike #${i}`, NOW - i, NOW],
      ),
    );
  }
}

const config = (sinks: unknown[], extra: Record<string, unknown> = {}) =>
  parseConfig({ wallets: [{ address: W }], notify: { retry_base_delay_ms: 1000, timeout_ms: 500, sinks, ...extra } });

describe("notifications", () => {
  it("webhook: JSON POST with an idempotency key and an HMAC-SHA256 signature over timestamp and body that verifies", async () => {
    const r = await receiver(() => 200);
    servers.push(r.server);
    process.env.TEST_SINK_URL = `${r.url}/hook`;
    process.env.TEST_SINK_SECRET = SECRET;
    const c = config([{ name: "hook", kind: "webhook", url_env: "TEST_SINK_URL", secret_env: "TEST_SINK_SECRET" }]);
    await seedAnomalies(2);
    const sentFrom = Math.floor(Date.now() / 1000);
    const counts = await notify(w, c, NOW, NOW);
    const sentTo = Math.floor(Date.now() / 1000);
    expect(counts).toMatchObject({ queued: 2, delivered: 2, failed: 0 });
    expect(r.hits.map((h) => h.headers["idempotency-key"]).sort()).toEqual(["anomaly:a0", "anomaly:a1"]);
    for (const h of r.hits) {
      // signed at the time of the send (not the round's start, which can be long before in a slow round)
      const ts = String(h.headers["x-tronmon-timestamp"]);
      expect(Number(ts)).toBeGreaterThanOrEqual(sentFrom);
      expect(Number(ts)).toBeLessThanOrEqual(sentTo);
      const expected = createHmac("sha256", SECRET).update(`${ts}.${h.body}`).digest("hex");
      expect(h.headers["x-tronmon-signature"]).toBe(`sha256=${expected}`);
      const body = JSON.parse(h.body);
      expect(body).toMatchObject({
        type: "anomaly",
        event: "detected",
        severity: "critical",
        name: "address_poisoning",
        wallet: W,
      });
      expect(body.data).toMatchObject({ wallet: W, anomaly_type: "address_poisoning", amount: "0" });
    }
    // a tampered body does not verify
    const h = r.hits[0];
    const forged = createHmac("sha256", SECRET)
      .update(`${h.headers["x-tronmon-timestamp"]}.${h.body.replace("lookalike", "friend")}`)
      .digest("hex");
    expect(h.headers["x-tronmon-signature"]).not.toBe(`sha256=${forged}`);
    // nothing is sent twice
    expect(await notify(w, c, NOW + 60_000, NOW)).toMatchObject({ queued: 0, delivered: 0 });
    expect(r.hits).toHaveLength(2);
  });

  it("a receiver failing 3 times then succeeding gets each notification exactly once after dedup by idempotency key", async () => {
    const r = await receiver((_h, n) => (n <= 3 ? 500 : 200));
    servers.push(r.server);
    process.env.TEST_SINK_URL = r.url;
    const c = config([{ name: "flaky", kind: "webhook", url_env: "TEST_SINK_URL" }]);
    await seedAnomalies(3);
    await enqueue(w, c, NOW, NOW);
    let t = NOW;
    for (let round = 0; round < 10; round++) {
      await deliverDue(w, c, t);
      t += 3_600_000; // past any backoff
    }
    const keys = r.hits.map((h) => String(h.headers["idempotency-key"]));
    expect(r.hits).toHaveLength(6); // 3 failed attempts (each stops the round) + 3 deliveries
    expect([...new Set(keys)].sort()).toEqual(["anomaly:a0", "anomaly:a1", "anomaly:a2"]);
    const delivered = r.hits
      .filter((_h, i) => i >= 3)
      .map((h) => String(h.headers["idempotency-key"]))
      .sort();
    expect(delivered).toEqual(["anomaly:a0", "anomaly:a1", "anomaly:a2"]);
    const rows = await w.query<{ event_id: string; status: string; attempts: number }>(
      stmt("SELECT event_id, status, attempts FROM outbox ORDER BY event_id"),
    );
    expect(rows.map((x) => [x.event_id, x.status, Number(x.attempts)])).toEqual([
      ["anomaly:a0", "delivered", 4],
      ["anomaly:a1", "delivered", 1],
      ["anomaly:a2", "delivered", 1],
    ]);
  });

  it("retries wait for their backoff: 1 s, then 2 s", async () => {
    const r = await receiver(() => 503);
    servers.push(r.server);
    process.env.TEST_SINK_URL = r.url;
    const c = config([{ name: "down", kind: "slack", url_env: "TEST_SINK_URL" }]);
    await seedAnomalies(1);
    await notify(w, c, NOW, NOW);
    await deliverDue(w, c, NOW + 999); // not due yet
    expect(r.hits).toHaveLength(1);
    await deliverDue(w, c, NOW + 1000);
    expect(r.hits).toHaveLength(2);
    await deliverDue(w, c, NOW + 1000 + 1999);
    expect(r.hits).toHaveLength(2);
    await deliverDue(w, c, NOW + 1000 + 2000);
    expect(r.hits).toHaveLength(3);
    const [row] = await w.query<{ status: string; attempts: number; last_error: string }>(
      stmt("SELECT status, attempts, last_error FROM outbox"),
    );
    expect(row).toMatchObject({ status: "pending", last_error: 'HTTP 503: {"error":"receiver down"}' });
    expect(Number(row.attempts)).toBe(3);
    expect(JSON.parse(r.hits[0].body)).toEqual({
      text: "[critical] address_poisoning on TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF: Received 0 USDT from a lookalike #0",
    });
  });

  it("a crash between evaluation and delivery delivers on restart", async () => {
    const r = await receiver(() => 200);
    servers.push(r.server);
    process.env.TEST_SINK_TOKEN = "123456:telegram-bot-token";
    const c = config([
      { name: "tg", kind: "telegram", token_env: "TEST_SINK_TOKEN", chat_id: "-1001", api_base: r.url },
    ]);
    await enqueue(w, c, NOW - 60_000, NOW - 60_000); // the sink existed before
    await seedAnomalies(2); // committed by detection... and the process dies before notifying
    await w.close();
    w = await createDuckDbWarehouse({ path: join(dir, "n.duckdb") });
    expect(await notify(w, c, NOW + 600_000, NOW + 600_000)).toMatchObject({ queued: 2, delivered: 2 });
    expect(r.hits.map((h) => h.path)).toEqual([
      "/bot123456:telegram-bot-token/sendMessage",
      "/bot123456:telegram-bot-token/sendMessage",
    ]);
    expect(JSON.parse(r.hits[0].body)).toMatchObject({
      chat_id: "-1001",
      text: expect.stringContaining("address_poisoning"),
    });
  });

  it("a dead sink does not delay the others; its failure is recorded; filters select what each sink gets", async () => {
    const good = await receiver(() => 200);
    const dead = await receiver(() => "hang");
    servers.push(good.server, dead.server);
    process.env.TEST_SINK_GOOD = good.url;
    process.env.TEST_SINK_DEAD = dead.url;
    const c = config([
      { name: "dead", kind: "webhook", url_env: "TEST_SINK_DEAD" },
      { name: "good", kind: "webhook", url_env: "TEST_SINK_GOOD" },
      { name: "only-large", kind: "webhook", url_env: "TEST_SINK_GOOD", anomaly_types: ["large_transaction"] },
      { name: "critical-file", kind: "file", path: join(dir, "n.ndjson"), min_severity: "critical" },
    ]);
    await seedAnomalies(3);
    const t0 = performance.now();
    const counts = await notify(w, c, NOW, NOW);
    const ms = performance.now() - t0;
    expect(good.hits).toHaveLength(3); // all of them in the same round
    expect(counts).toMatchObject({ queued: 9, delivered: 6, failed: 1 });
    expect(ms).toBeLessThan(5000); // one timeout (500 ms), not one per notification
    expect(readFileSync(join(dir, "n.ndjson"), "utf8").trim().split("\n")).toHaveLength(3);
    const rows = await w.query<{ sink: string; status: string; n: string; err: string | null }>(
      stmt(
        "SELECT sink, status, count(*) AS n, max(last_error) AS err FROM outbox GROUP BY sink, status ORDER BY sink, status",
      ),
    );
    expect(rows.map((x) => [x.sink, x.status, Number(x.n), x.err])).toEqual([
      ["critical-file", "delivered", 3, null],
      ["dead", "pending", 3, "timed out after 500 ms"],
      ["good", "delivered", 3, null],
    ]);
  });

  it("secrets (API key, sink URLs and tokens) never reach the log file or out/", async () => {
    const r = await receiver(() => 500);
    servers.push(r.server);
    process.env.TEST_SINK_URL = `${r.url}/T000/B000/XXXXsecretpath`;
    const logFile = join(dir, "logs/etl_tronscan.log");
    const logger = createLogger({ file: logFile, level: "trace", terminal: false, maxSize: "10M" });
    const c = config([{ name: "slack", kind: "slack", url_env: "TEST_SINK_URL" }]);
    await seedAnomalies(1);
    await notify(w, c, NOW, NOW, logger);
    logger.info({
      msg: "with secrets",
      apiKey: "k-123-secret",
      headers: { "TRON-PRO-API-KEY": "k-123-secret" },
      token: "tok-secret",
      password: "pw-secret",
    });
    await new Promise((res) => setTimeout(res, 300)); // the rotating stream writes asynchronously
    const text = readFileSync(logFile, "utf8");
    expect(text).toContain("Failed notification");
    expect(text).toContain("with secrets");
    for (const s of ["XXXXsecretpath", "k-123-secret", "tok-secret", "pw-secret"]) expect(text).not.toContain(s);
    expect(readdirSync(dir).join(" ")).not.toContain("secret");
  });
});

describe("digests", () => {
  /** An anomaly of `severity` detected at `ms` (occurred just before). */
  const anomaly = (id: string, type: string, severity: string, ms: number, raw = "1000000") =>
    w.query(
      stmt(
        `INSERT INTO anomalies VALUES (?, ?, ?, ?, ?, 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', 'USDT', ?, ?, ?, '{}', ?, ?,
        false, ?, NULL, NULL, NULL)`,
        [
          id,
          type,
          W,
          `tx-${id}`,
          `tr-${id}`,
          String(Number(raw) / 1e6),
          raw,
          `${type} #${id}`,
          ms - 1000,
          ms,
          severity,
        ],
      ),
    );

  it("N info findings of an ended hour -> one message with the right counts, delivered once; others as usual", async () => {
    const file = join(dir, "digest.ndjson");
    const c = config([{ name: "digest-file", kind: "file", path: file, digest: "1h" }]);
    const hour = Date.parse("2026-03-10T10:00:00Z");
    // 10:00-11:00: five info findings (4 new_counterparty, 1 spam_token) and one warning
    for (let i = 0; i < 4; i++) await anomaly(`n${i}`, "new_counterparty", "info", hour + i * 60_000, `${i + 1}000000`);
    await anomaly("s0", "spam_token", "info", hour + 30 * 60_000);
    await anomaly("l0", "large_transaction", "warning", hour + 40 * 60_000);
    // 11:30, the hour still open at 11:45: waits
    await anomaly("n9", "new_counterparty", "info", hour + 90 * 60_000);
    const now = hour + 105 * 60_000;
    await notify(w, c, now, hour);
    await notify(w, c, now + 60_000, hour); // scanned again: nothing more
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(["anomaly", "digest"]); // the warning on its own, then the digest
    const digest = lines[1];
    expect(digest.data).toMatchObject({
      from: "2026-03-10T10:00:00.000Z",
      to: "2026-03-10T11:00:00.000Z",
      total: 5,
      counts: [
        { wallet: W, type: "new_counterparty", n: 4 },
        { wallet: W, type: "spam_token", n: 1 },
      ],
    });
    expect(digest.text).toContain("new_counterparty #n3"); // the largest example (4 USDT)
    // after noon the 11:00 hour has ended: its one finding comes as the next digest
    await notify(w, c, hour + 3 * 3_600_000, hour);
    const after = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(after.map((l) => [l.type, l.data.total ?? null])).toEqual([
      ["anomaly", null],
      ["digest", 5],
      ["digest", 1],
    ]);
  });
});
