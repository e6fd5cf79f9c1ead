// One wallet: per-token volumes, daily activity, top counterparties (poisoning lookalikes marked), every
// transaction and transfer (filtered, sorted, paged by the server), its alerts and anomalies.
import {
  addrLink,
  api,
  asOfParam,
  badge,
  card,
  dayChart,
  decimalsOf,
  el,
  fmtNum,
  fmtTime,
  select,
  table,
  timeBanner,
  tokenLabel,
  txLink,
} from "../ui.js";
import { alertTable, anomalyTable } from "../lists.js";

export async function wallet(address) {
  const p = await api(`/api/wallets/${encodeURIComponent(address)}?${asOfParam()}`);
  const activity = activityBrowser(address, p.tokens);
  return [
    el("h1", {}, p.label ? `${p.label} ` : "", addrLink(p.wallet)),
    timeBanner(p),
    el("h2", {}, "Per token (successful transfers; volumes in token units)"),
    card(null, tokenTable(p.tokens)),
    el(
      "div",
      { class: "grid2" },
      card(
        "Daily transactions (30 days)",
        dayChart(
          p.daily_30d.map((d) => d.day),
          [{ label: "transactions", values: p.daily_30d.map((d) => d.tx), bars: true }],
        ),
      ),
      card("Top counterparties", counterpartyTable(p.counterparties)),
    ),
    el("h2", {}, "Transactions and transfers"),
    ...activity,
    el("h2", {}, "Alerts"),
    card(null, alertTable(p.alerts)),
    el(
      "h2",
      {},
      "Anomalies (latest 25) ",
      el("a", { href: `/anomalies?wallet=${encodeURIComponent(p.wallet)}` }, "all of them"),
    ),
    card(null, anomalyTable(p.anomalies)),
  ];
}

/** The filter form and the page of activity it shows; returns both, loading the first page. */
function activityBrowser(address, tokens) {
  const state = { sort: "time", order: "desc", page: 1, page_size: 25 };
  const holder = el("div", { class: "card" });
  const form = activityFilters(tokens, () => {
    state.page = 1;
    load();
  });
  async function load() {
    const q = new URLSearchParams({
      sort: state.sort,
      order: state.order,
      page: String(state.page),
      page_size: String(state.page_size),
    });
    for (const [k, v] of new FormData(form)) if (v) q.set(k, k === "to" ? `${v}T23:59:59.999Z` : v);
    const token = tokens.find((t) => t.token_id === q.get("token"));
    if (q.get("min") || q.get("max")) q.set("decimals", String(token ? decimalsOf(token) : 0));
    holder.replaceChildren(el("p", { class: "muted" }, "loading…"));
    try {
      const r = await api(`/api/wallets/${encodeURIComponent(address)}/activity?${q}`);
      holder.replaceChildren(activityTable(r, state, load), pager(r, state, load));
    } catch (e) {
      holder.replaceChildren(el("p", { class: "error" }, e.message));
    }
  }
  load();
  return [form, holder];
}

function activityFilters(tokens, onFilter) {
  return el(
    "form",
    {
      class: "filters",
      onsubmit: (e) => {
        e.preventDefault();
        onFilter();
      },
    },
    el("label", {}, "kind", select("kind", ["", "transfer", "transaction"])),
    el(
      "label",
      {},
      "token",
      select(
        "token",
        ["", ...tokens.map((t) => t.token_id)],
        tokens.map((t) => `${t.symbol ?? "?"} (${t.token_id.slice(0, 8)})`),
      ),
    ),
    el("label", {}, "direction", select("direction", ["", "in", "out", "self"])),
    el("label", {}, "status", select("status", ["", "success", "failed"])),
    el("label", {}, "from (UTC date)", el("input", { name: "from", type: "date" })),
    el("label", {}, "to", el("input", { name: "to", type: "date" })),
    el("label", {}, "min amount", el("input", { name: "min", size: 10, inputmode: "decimal" })),
    el("label", {}, "max amount", el("input", { name: "max", size: 10, inputmode: "decimal" })),
    el("button", { type: "submit" }, "Filter"),
  );
}

function activityTable(r, state, load) {
  return table(
    [
      { key: "time", label: "time (UTC)", render: (x) => fmtTime(x.time) },
      { key: "kind", label: "kind" },
      { key: "transaction_id", label: "transaction", render: (x) => txLink(x.transaction_id) },
      { key: "direction", label: "dir" },
      {
        key: "counterparty",
        label: "counterparty",
        render: (x) => (x.counterparty ? addrLink(x.counterparty) : "—"),
      },
      { key: "token", label: "token", render: (x) => tokenLabel(x.token_symbol, x.token_id, x.imitates) },
      { key: "amount", label: "amount", num: true, render: (x) => fmtNum(x.amount ?? x.amount_raw) },
      { key: "status", label: "status", render: (x) => badge(x.status) },
      { key: "confirmed", label: "confirmed", render: (x) => (x.confirmed ? "yes" : "no") },
    ],
    r.rows,
    {
      name: "activity",
      sortable: ["time", "amount", "token", "status"],
      sort: state.sort,
      order: state.order,
      onSort: (k) => {
        state.order = state.sort === k && state.order === "desc" ? "asc" : "desc";
        state.sort = k;
        load();
      },
    },
  );
}

function pager(r, state, load) {
  const pages = Math.max(1, Math.ceil(r.total / r.page_size));
  const go = (step) => () => {
    state.page += step;
    load();
  };
  return el(
    "div",
    { class: "filters" },
    el("button", { disabled: state.page <= 1 ? "" : null, onclick: go(-1) }, "‹ previous"),
    el("span", { "data-pager": "" }, `page ${r.page} of ${pages} · ${fmtNum(r.total)} rows`),
    el("button", { disabled: state.page >= pages ? "" : null, onclick: go(1) }, "next ›"),
  );
}

const tokenTable = (tokens) =>
  table(
    [
      { key: "symbol", label: "token", render: (t) => tokenLabel(t.symbol, t.token_id, t.imitates) },
      { key: "transfers_7d", label: "transfers 7d", num: true },
      { key: "transfers_30d", label: "30d", num: true },
      { key: "transfers", label: "all", num: true },
      { key: "in_7d", label: "in 7d", num: true, render: (t) => fmtNum(t.in_7d) },
      { key: "out_7d", label: "out 7d", num: true, render: (t) => fmtNum(t.out_7d) },
      { key: "in_30d", label: "in 30d", num: true, render: (t) => fmtNum(t.in_30d) },
      { key: "out_30d", label: "out 30d", num: true, render: (t) => fmtNum(t.out_30d) },
      { key: "in_all", label: "in all time", num: true, render: (t) => fmtNum(t.in_all) },
      { key: "out_all", label: "out all time", num: true, render: (t) => fmtNum(t.out_all) },
    ],
    tokens,
    { name: "wallet-tokens" },
  );

const lookalikeMark = () =>
  el(
    "span",
    { class: "warn", title: "sent this wallet a zero/dust transfer imitating a real counterparty" },
    " ⚠ poisoning lookalike",
  );

const counterpartyTable = (rows) =>
  table(
    [
      {
        key: "address",
        label: "address",
        render: (c) =>
          el("span", {}, addrLink(c.address, c.label ? `${c.label}` : null), c.lookalike ? lookalikeMark() : ""),
      },
      { key: "transfers", label: "transfers", num: true },
      { key: "tokens", label: "tokens", num: true },
      { key: "last_seen", label: "last seen", render: (c) => fmtTime(c.last_seen) },
    ],
    rows,
    { name: "counterparties" },
  );
