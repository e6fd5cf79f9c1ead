// Health of the monitor: health alerts, wallet lag, the last cycles, notification delivery, quarantine.
import { api, badge, card, el, fmtTime, table, walletLink } from "../ui.js";

export async function health() {
  const h = await api("/api/health");
  return [
    el("h1", {}, "Health of the monitor"),
    el("h2", {}, "Health alerts"),
    card(null, healthAlerts(h.health)),
    el("h2", {}, "Wallet lag"),
    card(null, lags(h.lags)),
    el("h2", {}, "Last cycles"),
    card(null, runs(h.runs)),
    el("h2", {}, "Notification delivery"),
    card(null, sinks(h.sinks)),
    el("h2", {}, `Quarantined records (${h.quarantined})`),
    card(null, quarantine(h.quarantine)),
  ];
}

const healthAlerts = (rows) =>
  table(
    [
      { key: "rule_name", label: "check" },
      { key: "wallet", label: "wallet" },
      { key: "value", label: "value", num: true },
      { key: "threshold", label: "threshold", num: true },
      { key: "status", label: "status", render: (r) => badge(r.status) },
      { key: "first_seen", label: "since", render: (r) => fmtTime(r.first_seen) },
    ],
    rows,
    { name: "health-alerts" },
  );

const lags = (rows) =>
  table(
    [
      { key: "wallet", label: "wallet", render: (r) => walletLink(r.wallet, r.label) },
      {
        key: "syncedToMs",
        label: "complete up to (UTC)",
        render: (r) => (r.syncedToMs ? fmtTime(new Date(r.syncedToMs).toISOString()) : "backfill under way"),
      },
      { key: "lagMinutes", label: "lag (min)", num: true },
    ],
    rows,
    { name: "lags" },
  );

const runs = (rows) =>
  table(
    [
      { key: "started_at", label: "started (UTC)", render: (r) => fmtTime(r.started_at) },
      { key: "command", label: "command" },
      { key: "status", label: "status", render: (r) => badge(r.status) },
      {
        key: "duration_ms",
        label: "duration (s)",
        num: true,
        render: (r) => (r.duration_ms === null ? "—" : (r.duration_ms / 1000).toFixed(1)),
      },
      { key: "requests", label: "requests", num: true },
      { key: "transfers_new", label: "new transfers", num: true },
      { key: "retries", label: "retries", num: true },
      { key: "throttled", label: "throttled", num: true },
      { key: "quarantined", label: "quarantined", num: true },
      { key: "error", label: "error", wrap: true },
    ],
    rows,
    { name: "runs" },
  );

const sinks = (rows) =>
  table(
    [
      { key: "sink", label: "sink" },
      { key: "delivered", label: "delivered", num: true },
      { key: "pending", label: "pending", num: true },
      { key: "given_up", label: "given up", num: true },
      { key: "last_error", label: "last error", wrap: true },
    ],
    rows,
    { name: "sinks" },
  );

const quarantine = (rows) =>
  table(
    [
      { key: "endpoint", label: "endpoint" },
      { key: "wallet", label: "wallet" },
      { key: "reason", label: "reason", wrap: true },
    ],
    rows,
    { name: "quarantine" },
  );
