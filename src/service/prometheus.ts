// Prometheus metrics (prom-client) and the /health, /ready, /metrics endpoints of `tronmon watch`.
import { createHash, timingSafeEqual } from "node:crypto";
import { assertAccess, tokensFromEnv } from "../dashboard/access.ts";
import { createServer, type Server } from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { CycleResult } from "../pipeline/cycle.ts";

export type Metrics = ReturnType<typeof createMetrics>;

type Labels = readonly string[];
const counter = (registry: Registry, name: string, help: string, labelNames: Labels = []) =>
  new Counter({ name, help, labelNames, registers: [registry] });
const gauge = (registry: Registry, name: string, help: string, labelNames: Labels = []) =>
  new Gauge({ name, help, labelNames, registers: [registry] });
const histogram = (registry: Registry, name: string, help: string, buckets: number[], labelNames: Labels = []) =>
  new Histogram({ name, help, labelNames, buckets, registers: [registry] });

/** The instruments, one line each: name, help, labels. */
function instruments(r: Registry) {
  return {
    registry: r,
    cycleDuration: histogram(
      r,
      "tronmon_cycle_duration_seconds",
      "Duration of a full cycle",
      [1, 5, 15, 30, 60, 120, 300, 600, 1200],
    ),
    queries: histogram(
      r,
      "tronmon_query_seconds",
      "Duration of the labelled warehouse queries (rules, detectors, reports, dashboard), by label and outcome",
      [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      ["query", "result"],
    ),
    cycles: counter(r, "tronmon_cycles_total", "Cycles by outcome", ["status"]),
    rows: counter(r, "tronmon_rows_loaded_total", "New rows loaded, by table", ["table"]),
    rowsUpdated: counter(r, "tronmon_rows_updated_total", "Stored rows updated (confirmed, corrected by a reorg)"),
    requests: counter(r, "tronmon_tronscan_requests_total", "TronScan answers by endpoint and HTTP status", [
      "endpoint",
      "status",
    ]),
    retries: counter(r, "tronmon_tronscan_retries_total", "Retried TronScan requests"),
    throttled: counter(r, "tronmon_tronscan_throttled_total", "Answers that throttled us (429/403)"),
    throttledSeconds: counter(r, "tronmon_tronscan_throttled_seconds_total", "Time TronScan made us wait"),
    quarantined: counter(r, "tronmon_quarantined_records_total", "Malformed API records quarantined"),
    alertsOpened: counter(r, "tronmon_alerts_opened_total", "Rule alerts opened"),
    healthOpened: counter(r, "tronmon_health_alerts_opened_total", "Health alerts opened"),
    anomalies: counter(r, "tronmon_anomalies_found_total", "Anomalies found by type", ["type"]),
    notifications: counter(r, "tronmon_notifications_total", "Notification attempts by result", ["result"]),
    lag: gauge(r, "tronmon_wallet_lag_seconds", "How far behind now each wallet's complete data is", ["wallet"]),
    blockLag: gauge(
      r,
      "tronmon_block_lag_seconds",
      "How far the block follower's cursor is behind the node's solidified head",
    ),
    blocks: counter(
      r,
      "tronmon_blocks_followed_total",
      "Blocks followed (solidified, and unconfirmed ones of the fast lane)",
      ["lane"],
    ),
    lastCycle: gauge(r, "tronmon_last_cycle_timestamp_seconds", "End of the last cycle", ["status"]),
  };
}

export function createMetrics() {
  const registry = new Registry();
  // the process's own metrics under our prefix (tronmon_process_cpu_seconds_total, tronmon_nodejs_…), less the
  // three gauges prom-client names `*_total`, which the exposition format keeps for counters
  collectDefaultMetrics({ register: registry, prefix: "tronmon_" });
  for (const g of ["active_handles_total", "active_requests_total", "active_resources_total"])
    registry.removeSingleMetric(`tronmon_nodejs_${g}`);
  const m = instruments(registry);
  return {
    ...m,
    observeCycle(r: CycleResult, lags: { wallet: string; lagMinutes: number | null }[]) {
      const t = r.summary.totals;
      m.cycleDuration.observe(r.summary.durationMs / 1000);
      m.cycles.inc({ status: r.postError && r.summary.status === "success" ? "partial" : r.summary.status });
      m.rows.inc({ table: "transactions" }, t.transactionsNew);
      m.rows.inc({ table: "transfers" }, t.transfersNew);
      m.rowsUpdated.inc(t.updated);
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
