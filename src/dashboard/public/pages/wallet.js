// One wallet: per-token volumes (fakes flagged), daily activity, top counterparties (poisoning lookalikes marked),
// every transaction and transfer (filtered, sorted, paged by the server; the view kept in the URL), its alerts and
// the findings to triage, most severe first.
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
  navigate,
  select,
  t,
  table,
  timeBanner,
  tokenLabel,
  tronscanLink,
  txLink,
  walletShort,
} from "../ui.js";
import { alertTable, anomalyTable } from "../lists.js";

const VIEW = ["kind", "token", "direction", "status", "from", "to", "min", "max", "sort", "order", "page"];

export async function wallet(address) {
  const [p, findings] = await Promise.all([
    api(`/api/wallets/${encodeURIComponent(address)}?${asOfParam()}`),
    api(`/api/anomalies?wallet=${encodeURIComponent(address)}&min_severity=warning&limit=25`),
  ]);
  return [
    el(
      "h1",
      {},
      p.label ? el("span", { translate: "no" }, `${p.label} `) : "",
      el("span", { class: "addr" }, p.wallet),
      " ",
      tronscanLink("address", p.wallet),
    ),
    timeBanner(p),
    el("h2", {}, t("Per token (successful transfers; volumes in token units)")),
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
    el("h2", {}, t("Transactions and transfers")),
    ...(await activityBrowser(address, p.tokens)),
    el("h2", {}, t("Alerts")),
    card(null, alertTable(p.alerts, true)),
    el(
      "h2",
      {},
      t("Findings (warning and above, newest 25)"),
      " ",
      el("a", { href: `/anomalies?wallet=${encodeURIComponent(p.wallet)}&info=1` }, t("all of them")),
    ),
    card(null, anomalyTable(findings, true)),
  ];
}

/** The view of the activity table, from the URL (so a refresh or a shared link shows the same rows). */
const viewOf = () => {
  const q = new URLSearchParams(location.search);
  return Object.fromEntries(VIEW.map((k) => [k, q.get(k) ?? ""]));
};
function setView(v) {
  const q = new URLSearchParams(location.search);
  for (const k of VIEW) {
    if (
      v[k] &&
      !(k === "page" && v[k] === "1") &&
      !(k === "sort" && v[k] === "time") &&
      !(k === "order" && v[k] === "desc")
    )
      q.set(k, v[k]);
    else q.delete(k);
  }
  navigate(`${location.pathname}${q.size ? `?${q}` : ""}`, true);
}

/** The filter form and the page of activity it shows (the view from the URL). */
async function activityBrowser(address, tokens) {
  const v = viewOf();
  const holder = el("div", { class: "card" });
  const form = activityFilters(tokens, v, (fields) => setView({ ...v, ...fields, page: "1" }));
  const q = new URLSearchParams({
    sort: v.sort || "time",
    order: v.order || "desc",
    page: v.page || "1",
    page_size: "25",
  });
  for (const k of ["kind", "token", "direction", "status", "from", "min", "max"]) if (v[k]) q.set(k, v[k]);
  if (v.to) q.set("to", `${v.to}T23:59:59.999Z`);
  const token = tokens.find((x) => x.token_id === v.token);
  if (v.min || v.max) q.set("decimals", String(token ? decimalsOf(token) : 0));
  try {
    const r = await api(`/api/wallets/${encodeURIComponent(address)}/activity?${q}`);
    holder.replaceChildren(activityTable(r, v), pager(r, v));
  } catch (e) {
    holder.replaceChildren(el("p", { class: "error" }, e.message));
  }
  return [form, holder];
}

function activityFilters(tokens, v, onFilter) {
  const input = (name, attrs = {}) => el("input", { name, value: v[name] || "", ...attrs });
  return el(
    "form",
    {
      class: "filters",
      onsubmit: (e) => {
        e.preventDefault();
        const fields = Object.fromEntries([...new FormData(e.target)].map(([k, x]) => [k, String(x).trim()]));
        onFilter(fields);
      },
    },
    el("label", {}, t("kind"), select("kind", ["", "transfer", "transaction"], null, v.kind)),
    el(
      "label",
      {},
      t("token"),
      select(
        "token",
        ["", ...tokens.map((x) => x.token_id)],
        [
          "",
          ...tokens.map((x) => `${x.symbol ?? "?"}${x.imitates ? ` (${t("FAKE")})` : ""} (${x.token_id.slice(0, 8)})`),
        ],
        v.token,
      ),
    ),
    el("label", {}, t("direction"), select("direction", ["", "in", "out", "self"], null, v.direction)),
    el("label", {}, t("status"), select("status", ["", "success", "failed"], null, v.status)),
    el("label", {}, t("from (UTC date)"), input("from", { type: "date" })),
    el("label", {}, t("to"), input("to", { type: "date" })),
    el("label", {}, t("min amount"), input("min", { size: 10, inputmode: "decimal" })),
    el("label", {}, t("max amount"), input("max", { size: 10, inputmode: "decimal" })),
    el("button", { type: "submit" }, t("Filter")),
  );
}

function activityTable(r, v) {
  const sort = v.sort || "time";
  const order = v.order || "desc";
  return table(
    [
      { key: "time", label: "time (UTC)", render: (x) => fmtTime(x.time) },
      { key: "kind", label: "kind", render: (x) => t(x.kind) },
      { key: "transaction_id", label: "transaction", render: (x) => txLink(x.transaction_id) },
      { key: "direction", label: "dir", render: (x) => t(x.direction) },
      {
        key: "counterparty",
        label: "counterparty",
        render: (x) => (x.counterparty ? addrLink(x.counterparty, `${x.counterparty.slice(0, 8)}…`) : "—"),
      },
      { key: "token", label: "token", render: (x) => tokenLabel(x.token_symbol, x.token_id, x.imitates) },
      { key: "amount", label: "amount", num: true, render: (x) => fmtNum(x.amount ?? x.amount_raw) },
      { key: "status", label: "status", render: (x) => badge(x.status) },
      { key: "confirmed", label: "confirmed", render: (x) => (x.confirmed ? t("yes") : t("no")) },
    ],
    r.rows,
    {
      name: "activity",
      sortable: ["time", "amount", "token", "status"],
      sort,
      order,
      onSort: (k) => setView({ ...v, sort: k, order: sort === k && order === "desc" ? "asc" : "desc", page: "1" }),
    },
  );
}

function pager(r, v) {
  const pages = Math.max(1, Math.ceil(r.total / r.page_size));
  const page = Number(v.page || "1");
  const go = (step) => () => setView({ ...v, page: String(page + step) });
  return el(
    "div",
    { class: "filters" },
    el("button", { type: "button", disabled: page <= 1 ? "" : null, onclick: go(-1) }, t("‹ previous")),
    el(
      "span",
      { "data-pager": "" },
      t("page {page} of {pages} · {rows} rows", { page: r.page, pages, rows: fmtNum(r.total) }),
    ),
    el("button", { type: "button", disabled: page >= pages ? "" : null, onclick: go(1) }, t("next ›")),
  );
}

const tokenTable = (tokens) =>
  table(
    [
      { key: "symbol", label: "token", render: (x) => tokenLabel(x.symbol, x.token_id, x.imitates) },
      { key: "transfers_7d", label: "transfers 7d", num: true, render: (x) => fmtNum(x.transfers_7d) },
      { key: "transfers_30d", label: "30d", num: true, render: (x) => fmtNum(x.transfers_30d) },
      { key: "transfers", label: "all", num: true, render: (x) => fmtNum(x.transfers) },
      { key: "in_7d", label: "in 7d", num: true, render: (x) => fmtNum(x.in_7d) },
      { key: "out_7d", label: "out 7d", num: true, render: (x) => fmtNum(x.out_7d) },
      { key: "in_30d", label: "in 30d", num: true, render: (x) => fmtNum(x.in_30d) },
      { key: "out_30d", label: "out 30d", num: true, render: (x) => fmtNum(x.out_30d) },
      { key: "in_all", label: "in all time", num: true, render: (x) => fmtNum(x.in_all) },
      { key: "out_all", label: "out all time", num: true, render: (x) => fmtNum(x.out_all) },
    ],
    tokens,
    { name: "wallet-tokens" },
  );

const lookalikeMark = () =>
  el(
    "span",
    { class: "warn", title: t("sent this wallet a zero/dust transfer imitating a real counterparty") },
    " ⚠ ",
    t("poisoning lookalike"),
  );

const counterpartyTable = (rows) =>
  table(
    [
      {
        key: "address",
        label: "address",
        render: (c) =>
          el(
            "span",
            {},
            // a label means a watched wallet (its page); any other address has its own page too
            c.label ? walletShort(c.address, c.label) : addrLink(c.address, `${c.address.slice(0, 10)}…`),
            c.lookalike ? lookalikeMark() : "",
          ),
      },
      { key: "transfers", label: "transfers", num: true, render: (c) => fmtNum(c.transfers) },
      { key: "tokens", label: "tokens", num: true },
      { key: "last_seen", label: "last seen", render: (c) => fmtTime(c.last_seen) },
    ],
    rows,
    { name: "counterparties" },
  );
