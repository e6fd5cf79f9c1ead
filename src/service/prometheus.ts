// Prometheus metrics (prom-client) and the /health, /ready, /metrics endpoints of `tronmon watch`.
import { createHash, timingSafeEqual } from "node:crypto";
import { assertAccess, tokensFromEnv } from "../dashboard/access.ts";
import { createServer, type Server } from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { CycleResult } from "../pipeline/cycle.ts";

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "tronmon_process_" });
  const m = {
    registry,
    cycleDuration: new Histogram({
      name: "tronmon_cycle_duration_seconds",
      help: "Duration of a full cycle",
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200],
      registers: [registry],
    }),
    queries: new Histogram({
      name: "tronmon_query_seconds",
      help: "Duration of the labelled warehouse queries (rules, detectors, reports, dashboard), by label and outcome",
      labelNames: ["query", "result"],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers: [registry],
    }),
    cycles: new Counter({
      name: "tronmon_cycles_total",
      help: "Cycles by outcome",
      labelNames: ["status"],
      registers: [registry],
    }),
    rows: new Counter({
      name: "tronmon_rows_loaded_total",
      help: "Rows loaded (new or updated)",
      labelNames: ["table"],
      registers: [registry],
    }),
    requests: new Counter({
      name: "tronmon_tronscan_requests_total",
      help: "TronScan answers by endpoint and HTTP status",
      labelNames: ["endpoint", "status"],
      registers: [registry],
    }),
    retries: new Counter({
      name: "tronmon_tronscan_retries_total",
      help: "Retried TronScan requests",
      registers: [registry],
    }),
    throttled: new Counter({
      name: "tronmon_tronscan_throttled_total",
      help: "Answers that throttled us (429/403)",
      registers: [registry],
    }),
    throttledSeconds: new Counter({
      name: "tronmon_tronscan_throttled_seconds_total",
      help: "Time TronScan made us wait",
      registers: [registry],
    }),
    quarantined: new Counter({
      name: "tronmon_quarantined_records_total",
      help: "Malformed API records quarantined",
      registers: [registry],
    }),
    alertsOpened: new Counter({
      name: "tronmon_alerts_opened_total",
      help: "Rule alerts opened",
      registers: [registry],
    }),
    healthOpened: new Counter({
      name: "tronmon_health_alerts_opened_total",
      help: "Health alerts opened",
      registers: [registry],
    }),
    anomalies: new Counter({
      name: "tronmon_anomalies_found_total",
      help: "Anomalies found by type",
      labelNames: ["type"],
      registers: [registry],
    }),
    notifications: new Counter({
      name: "tronmon_notifications_total",
      help: "Notification attempts by result",
      labelNames: ["result"],
      registers: [registry],
    }),
    lag: new Gauge({
      name: "tronmon_wallet_lag_seconds",
      help: "How far behind now each wallet's complete data is",
      labelNames: ["wallet"],
      registers: [registry],
    }),
    blockLag: new Gauge({
      name: "tronmon_block_lag_seconds",
      help: "How far the block follower's cursor is behind the node's solidified head",
      registers: [registry],
    }),
    blocks: new Counter({
      name: "tronmon_blocks_followed_total",
      help: "Blocks followed (solidified, and unconfirmed ones of the fast lane)",
      labelNames: ["lane"],
      registers: [registry],
    }),
    lastCycle: new Gauge({
      name: "tronmon_last_cycle_timestamp_seconds",
      help: "End of the last cycle",
      labelNames: ["status"],
      registers: [registry],
    }),
  };
  return {
    ...m,
    observeCycle(r: CycleResult, lags: { wallet: string; lagMinutes: number | null }[]) {
      const t = r.summary.totals;
      m.cycleDuration.observe(r.summary.durationMs / 1000);
      m.cycles.inc({ status: r.postError && r.summary.status === "success" ? "partial" : r.summary.status });
      m.rows.inc({ table: "transactions" }, t.transactionsNew);
      m.rows.inc({ table: "transfers" }, t.transfersNew);
      m.rows.inc({ table: "updated" }, t.updated);
      m.retries.inc(t.retries);
      m.throttled.inc(t.throttled);
      m.throttledSeconds.inc(t.throttledMs / 1000);
      m.quarantined.inc(t.quarantined);
      m.alertsOpened.inc(r.evaluation?.opened ?? 0);
      m.healthOpened.inc(r.health?.opened ?? 0);
      for (const [type, n] of Object.entries(r.detection?.found ?? {})) m.anomalies.inc({ type }, n);
      if (r.delivery) {
        m.notifications.inc({ result: "delivered" }, r.delivery.delivered);
        m.notifications.inc({ result: "failed" }, r.delivery.failed + r.delivery.gaveUp);
      }
      for (const l of lags) if (l.lagMinutes !== null) m.lag.set({ wallet: l.wallet }, l.lagMinutes * 60);
      m.lastCycle.set({ status: r.summary.status }, Date.now() / 1000);
    },
  };
}

export type Probe = {
  live(): { ok: boolean; detail: Record<string, unknown> };
  ready(): { ok: boolean; detail: Record<string, unknown> };
};

/**
 * Serves /health (the loop is alive), /ready (a cycle has completed and the warehouse is open) and /metrics.
 * Its labels name the watched wallets: off loopback it needs an access token, as the dashboard does
 * (TRONMON_DASHBOARD_TOKENS; a scraper sends `Authorization: Bearer <token>`).
 */
export async function serveMetrics(args: {
  port: number;
  host: string;
  metrics: Metrics;
  probe: Probe;
  tokens?: { name: string; digest: Buffer }[];
}): Promise<Server> {
  const tokens = args.tokens ?? tokensFromEnv();
  assertAccess(args.host, tokens, "metrics");
  const server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body) + "\n");
    };
    if (tokens.length) {
      const digest = createHash("sha256")
        .update((req.headers.authorization ?? "").replace(/^Bearer\s+/i, ""))
        .digest();
      if (!tokens.some((t) => timingSafeEqual(t.digest, digest)))
        return json(401, { error: "an access token is required (Authorization: Bearer <token>)" });
    }
    if (req.method !== "GET") return json(405, { error: "GET only" });
    if (path === "/metrics") {
      res.writeHead(200, { "content-type": args.metrics.registry.contentType });
      return res.end(await args.metrics.registry.metrics());
    }
    if (path === "/health") {
      const p = args.probe.live();
      return json(p.ok ? 200 : 503, { status: p.ok ? "ok" : "stalled", ...p.detail });
    }
    if (path === "/ready") {
      const p = args.probe.ready();
      return json(p.ok ? 200 : 503, { status: p.ok ? "ready" : "not ready", ...p.detail });
    }
    json(404, { error: "not found", endpoints: ["/health", "/ready", "/metrics"] });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(args.port, args.host, () => resolve());
  });
  return server;
}
