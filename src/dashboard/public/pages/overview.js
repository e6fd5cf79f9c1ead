// Overview: the headline numbers, activity charts, volume per token, open alerts and the latest anomalies.
import {
  addrLink,
  api,
  asOfParam,
  bars,
  card,
  dayChart,
  el,
  fmtNum,
  fmtTime,
  kpi,
  table,
  timeBanner,
  walletLink,
  tokenLabel,
} from "../ui.js";
import { alertTable, anomalyTable } from "../lists.js";

export async function overview() {
  const q = asOfParam();
  const [o, c, alerts, anomalies] = await Promise.all([
    api(`/api/overview?${q}`),
    api(`/api/charts?${q}`),
    api("/api/alerts?status=active&limit=50"),
    api("/api/anomalies?limit=20&min_severity=warning"),
  ]);
  return [
    el("h1", {}, "Overview"),
    timeBanner(o),
    kpis(o),
    charts(c),
    el("h2", {}, "Volume per token (30 days, never summed across tokens)"),
    card(null, tokenVolumes(o.volume_30d_by_token)),
    el("h2", {}, "Open alerts"),
    card(null, alertTable(alerts.alerts)),
    el("h2", {}, "Latest anomalies (warning and above; ", el("a", { href: "/anomalies?info=1" }, "all"), ")"),
    card(null, anomalyTable(anomalies)),
  ];
}

function kpis(o) {
  const cycle = o.last_cycle;
  const age = (s) => (s === null ? "running" : s < 90 ? "just now" : `${Math.round(s / 60)} min ago`);
  return el(
    "div",
    { class: "kpis" },
    kpi("Wallets watched", o.wallets),
    kpi("Transactions (7 days)", fmtNum(o.tx_7d)),
    kpi(
      "USDT volume (30 days)",
      fmtNum(o.usdt_volume_30d),
      "Every successful USDT transfer touching a watched wallet, counted once; other tokens in the table below",
    ),
    kpi("Open alerts", o.open_alerts),
    kpi("Anomalies (24 h)", o.anomalies_24h),
    kpi(
      "Last cycle",
      cycle ? `${cycle.status}, ${age(cycle.age_seconds)}` : "never",
      cycle
        ? `${cycle.run_id} (${cycle.command}), ended ${fmtTime(cycle.ended_at)} UTC${cycle.error ? `: ${cycle.error}` : ""}`
        : null,
    ),
  );
}

/** One bar per wallet, labelled with a link to its page. */
const walletBars = (rows, valueOf) => bars(rows, valueOf, (r) => walletLink(r.wallet, r.label));

function charts(c) {
  const days = [...new Set([...c.alerts_daily, ...c.anomalies_daily].map((d) => d.day))].sort();
  const of = (list) => days.map((d) => list.find((x) => x.day === d)?.n ?? 0);
  return el(
    "div",
    { class: "grid2" },
    card(
      "Activity per wallet (transactions, 7 days; the 20 busiest)",
      walletBars(c.activity_7d, (r) => r.tx),
    ),
    card(
      "Top 5 wallets by USDT volume (in + out, 30 days)",
      walletBars(c.top_usdt_30d, (r) => r.volume),
    ),
    card(
      "Daily transactions and USDT volume (30 days)",
      dayChart(
        c.daily_30d.map((d) => d.day),
        [
          { label: "transactions", values: c.daily_30d.map((d) => d.tx), bars: true },
          { label: "USDT", values: c.daily_30d.map((d) => d.usdt) },
        ],
      ),
    ),
    card(
      "Alerts opened and anomalies found per day",
      dayChart(days, [
        { label: "anomalies", values: of(c.anomalies_daily), bars: true },
        { label: "alerts", values: of(c.alerts_daily) },
      ]),
    ),
  );
}

function tokenVolumes(rows) {
  return table(
    [
      { key: "symbol", label: "token", render: (r) => tokenLabel(r.symbol ?? "?", r.token_id, r.imitates) },
      { key: "name", label: "name" },
      {
        key: "token_id",
        label: "token id",
        render: (r) => (r.token_id.length > 30 ? addrLink(r.token_id) : r.token_id),
      },
      { key: "transfers", label: "transfers", num: true, render: (r) => fmtNum(r.transfers) },
      { key: "volume", label: "volume", num: true, render: (r) => fmtNum(r.volume) },
    ],
    rows,
    { name: "tokens" },
  );
}
