// Overview: open health alerts first, the headline numbers, activity charts, volume per token (fakes flagged),
// the queue's most severe items.
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
  t,
  table,
  timeBanner,
  tokenLabel,
  walletShort,
} from "../ui.js";
import { queueTable } from "../lists.js";

export async function overview() {
  const q = asOfParam();
  const [o, c, queue] = await Promise.all([
    api(`/api/overview?${q}`),
    api(`/api/charts?${q}`),
    api("/api/queue?limit=15&min_severity=warning"),
  ]);
  return [
    el("h1", {}, t("Overview")),
    healthBanner(o),
    timeBanner(o),
    kpis(o),
    charts(c),
    el("h2", {}, t("Volume per token (30 days, never summed across tokens)")),
    card(null, tokenVolumes(o.volume_30d_by_token)),
    el("h2", {}, t("To triage (most severe first)"), " ", el("a", { href: "/queue" }, t("the whole queue"))),
    card(null, queueTable(queue)),
  ];
}

/** Open health alerts: the monitor itself is failing — said first, in red, never hidden behind "running". */
function healthBanner(o) {
  if (!o.health_alerts?.length) return null;
  return el(
    "div",
    { class: "banner critical", role: "alert", "data-banner": "health" },
    el("strong", {}, t("The monitor needs attention — health alerts open: {n}.", { n: o.health_alerts.length })),
    el(
      "ul",
      {},
      o.health_alerts.map((h) =>
        el(
          "li",
          {},
          `${h.rule_name}${h.wallet === "*" ? "" : ` (${h.wallet})`}: ${fmtNum(h.value)} ${h.unit ? t(h.unit) : ""} `,
          t("(fires at {op} {limit})", { op: h.op, limit: fmtNum(h.threshold) }),
          ` — ${t("since {time} UTC", { time: fmtTime(h.first_seen) })}`,
        ),
      ),
    ),
    el("a", { href: "/health" }, t("See Health")),
  );
}

function kpis(o) {
  const cycle = o.last_cycle;
  const age = (s) => (s < 90 ? t("just now") : t("{n} min ago", { n: Math.round(s / 60) }));
  const bad = o.health_alerts?.length || (cycle && cycle.status !== "success");
  const last = cycle ? `${t(cycle.status)}, ${age(cycle.age_seconds ?? 0)}` : t("never");
  return el(
    "div",
    { class: "kpis" },
    kpi("Wallets watched", fmtNum(o.wallets)),
    kpi("Transactions (7 days)", fmtNum(o.tx_7d)),
    kpi(
      "USDT volume (30 days)",
      fmtNum(o.usdt_volume_30d),
      t("Every successful USDT transfer touching a watched wallet, counted once; other tokens in the table below"),
    ),
    kpi("Open alerts", fmtNum(o.open_alerts)),
    kpi("Anomalies (24 h)", fmtNum(o.anomalies_24h)),
    kpi(
      "Last cycle",
      last,
      cycle
        ? `${cycle.run_id} (${cycle.command}), ${fmtTime(cycle.ended_at)} UTC${cycle.error ? `: ${cycle.error}` : ""}`
        : null,
      bad ? "bad" : null,
      o.running_since ? t("one running since {time} UTC", { time: fmtTime(o.running_since) }) : null,
    ),
  );
}

/** One bar per wallet, labelled with a link to its page. */
const walletBars = (rows, valueOf) => bars(rows, valueOf, (r) => walletShort(r.wallet, r.label));

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
      { key: "name", label: "name", wrap: true },
      {
        key: "token_id",
        label: "token id",
        render: (r) => (r.token_id.length > 30 ? addrLink(r.token_id, `${r.token_id.slice(0, 8)}…`) : r.token_id),
      },
      { key: "transfers", label: "transfers", num: true, render: (r) => fmtNum(r.transfers) },
      { key: "volume", label: "volume", num: true, render: (r) => fmtNum(r.volume) },
    ],
    rows,
    { name: "tokens" },
  );
}
