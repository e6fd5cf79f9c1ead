// Health of the monitor: open health alerts first (in red), wallet lag, the last cycles (an error repeated by many
// streams shown once, with how many), notification delivery, quarantine.
import { api, badge, card, el, fmtNum, fmtTime, t, table, walletLink } from "../ui.js";

export async function health() {
  const h = await api("/api/health");
  const open = h.health.filter((a) => a.status !== "resolved");
  return [
    el("h1", {}, t("Health of the monitor")),
    open.length
      ? el(
          "p",
          { class: "banner critical", role: "alert", "data-banner": "health" },
          t("The monitor needs attention — health alerts open: {n}.", { n: open.length }),
        )
      : el("p", { class: "banner ok" }, t("No health alert is open.")),
    el("h2", {}, t("Health alerts")),
    card(null, healthAlerts(h.health)),
    el("h2", {}, t("Wallet lag")),
    card(null, lags(h.lags)),
    el("h2", {}, t("Last cycles")),
    card(null, runs(h.runs)),
    el("h2", {}, t("Notification delivery")),
    card(null, sinks(h.sinks)),
    el("h2", {}, t("Quarantined records ({n})", { n: fmtNum(h.quarantined) })),
    card(null, quarantine(h.quarantine)),
  ];
}

const healthAlerts = (rows) =>
  table(
    [
      { key: "rule_name", label: "check" },
      { key: "wallet", label: "wallet", render: (r) => (r.wallet === "*" ? t("monitor") : r.wallet) },
      { key: "value", label: "value", num: true, render: (r) => fmtNum(r.value) },
      { key: "threshold", label: "fires at", num: true, render: (r) => `${r.op ?? ">"} ${fmtNum(r.threshold)}` },
      { key: "unit", label: "unit", render: (r) => (r.unit ? t(r.unit) : "") },
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
        render: (r) => (r.syncedToMs ? fmtTime(new Date(r.syncedToMs).toISOString()) : t("backfill under way")),
      },
      { key: "lagMinutes", label: "lag (min)", num: true, render: (r) => fmtNum(r.lagMinutes) },
    ],
    rows,
    { name: "lags" },
  );

/**
 * A run's error: identical messages of many streams merged ("… (×16)"). Runs recorded since say it themselves
 * ("(16 streams — …)"); older ones listed one line per stream.
 */
function errorText(error) {
  if (!error) return "";
  const counts = new Map();
  for (const line of String(error).split("\n")) {
    const m = /^T[1-9A-HJ-NP-Za-km-z]{33} \w+: (.*)$/.exec(line);
    const key = m ? m[1] : line;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([msg, n]) => (n > 1 ? `${msg} (×${n})` : msg)).join("\n");
}

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
        render: (r) => (r.duration_ms === null ? "—" : fmtNum((r.duration_ms / 1000).toFixed(1))),
      },
      { key: "requests", label: "requests", num: true, render: (r) => fmtNum(r.requests) },
      { key: "transfers_new", label: "new transfers", num: true, render: (r) => fmtNum(r.transfers_new) },
      { key: "retries", label: "retries", num: true, render: (r) => fmtNum(r.retries) },
      { key: "throttled", label: "throttled", num: true, render: (r) => fmtNum(r.throttled) },
      { key: "quarantined", label: "quarantined", num: true, render: (r) => fmtNum(r.quarantined) },
      { key: "error", label: "error", wrap: true, render: (r) => el("span", { class: "pre" }, errorText(r.error)) },
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
