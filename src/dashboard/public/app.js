// The dashboard's pages. Every value from the chain or TronScan is put in the page as text
// (textContent / text nodes), never as HTML.
const main = document.getElementById("main");
const TRONSCAN = "https://tronscan.org/#";
let lastRun = null;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, String(v));
  }
  for (const c of children.flat())
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
const txLink = (hash) =>
  el(
    "a",
    {
      href: `${TRONSCAN}/transaction/${encodeURIComponent(hash)}`,
      target: "_blank",
      rel: "noopener noreferrer",
      title: hash,
    },
    `${hash.slice(0, 10)}…`,
  );
const addrLink = (a, label) =>
  el(
    "a",
    { href: `${TRONSCAN}/address/${encodeURIComponent(a)}`, target: "_blank", rel: "noopener noreferrer", title: a },
    label ?? a,
  );
const walletLink = (a, label) =>
  el(
    "a",
    { href: `/wallet/${encodeURIComponent(a)}`, "data-wallet": a },
    label ? `${label} (${a.slice(0, 6)}…${a.slice(-4)})` : a,
  );
const badge = (s) => el("span", { class: `badge ${s}` }, s);
const fmtTime = (iso) => (iso ? iso.replace("T", " ").slice(0, 19) : "—");
const fmtNum = (s) =>
  s === null || s === undefined
    ? "—"
    : String(s).replace(/^(\d+)(\.\d+)?$/, (_, i, f) => i.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (f ?? ""));

async function api(path, opts) {
  const r = await fetch(path, opts);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
  return body;
}

function table(columns, rows, opts = {}) {
  const head = el(
    "tr",
    {},
    columns.map((c) =>
      el(
        "th",
        {
          class: c.num ? "num" : null,
          "data-sort": opts.sortable?.includes(c.key) ? c.key : null,
          onclick: opts.sortable?.includes(c.key) ? () => opts.onSort(c.key) : null,
        },
        c.label + (opts.sort === c.key ? (opts.order === "asc" ? " ▲" : " ▼") : ""),
      ),
    ),
  );
  const cell = (c, r) => {
    const v = c.render ? c.render(r) : (r[c.key] ?? "—");
    const long = typeof v === "string" && v.length > 28; // uint256 amounts: wrap rather than push the table wide
    return el("td", { class: [c.num ? "num" : c.wrap ? "wrap" : "", long ? "long" : ""].join(" ").trim() || null }, v);
  };
  const body = rows.length
    ? rows.map((r) =>
        el(
          "tr",
          {},
          columns.map((c) => cell(c, r)),
        ),
      )
    : [el("tr", {}, el("td", { colspan: columns.length, class: "muted" }, "nothing here"))];
  return el("table", { "data-table": opts.name ?? null }, el("thead", {}, head), el("tbody", {}, body));
}

function bars(items, valueOf, labelOf, fmt = fmtNum) {
  const max = Math.max(1, ...items.map((i) => Number(valueOf(i)) || 0));
  return el(
    "div",
    {},
    items.map((i) =>
      el(
        "div",
        { class: "bar" },
        el("span", { class: "name" }, labelOf(i)),
        el("span", { class: "fill", style: `width:${Math.max(1, (Number(valueOf(i)) / max) * 420)}px` }),
        el("span", { class: "val" }, fmt(valueOf(i))),
      ),
    ),
  );
}

/** A uPlot chart over days: series = [{label, values, bars?}]. Numbers are for drawing only; tables keep the exact values. */
function dayChart(days, series, height = 220) {
  const box = el("div", { class: "chart" });
  if (!days.length) {
    box.append(el("p", { class: "muted" }, "no data in this period"));
    return box;
  }
  const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const width = Math.max(420, Math.min(900, (main.clientWidth || 900) / 2 - 40));
  const opts = {
    width,
    height,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    // one day alone would be stretched over years: show the days either side
    scales: {
      x: { time: true, range: (_u, min, max) => [Math.min(min, max - 86400 * 6) - 43200, max + 43200] },
      y2: { auto: true },
    },
    axes: [
      {},
      { label: series[0].label },
      ...(series[1] ? [{ side: 1, scale: "y2", label: series[1].label, grid: { show: false } }] : []),
    ],
    series: [
      {},
      ...series.map((s, i) => ({
        label: s.label,
        scale: i === 1 ? "y2" : "y",
        stroke: i ? "#c23c2a" : "#4a6fa5",
        fill: i ? null : "rgba(74,111,165,0.35)",
        paths: s.bars ? uPlot.paths.bars({ size: [0.7, 40] }) : undefined,
        points: { show: !s.bars },
      })),
    ],
  };
  requestAnimationFrame(() => new uPlot(opts, [xs, ...series.map((s) => s.values.map(Number))], box));
  return box;
}

/** A card: an optional heading over its content. */
const card = (title, ...body) => el("div", { class: "card" }, title === null ? null : el("h2", {}, title), ...body);

function kpi(label, value, title) {
  return el(
    "div",
    { class: "kpi", title: title ?? null },
    el("div", { class: "l" }, label),
    el("div", { class: "v", "data-kpi": label }, value),
  );
}

/** `as_of=newest` in the page's URL: the windows end at the newest stored data instead of now. */
const asOfParam = () => (new URLSearchParams(location.search).get("as_of") === "newest" ? "as_of=newest" : "");
const DAY_MS = 86_400_000;

/**
 * Says when the page's windows end, and offers the newest data when it is older than the longest window (30 days):
 * otherwise every window-based figure would read 0 without saying why.
 */
function timeBanner(t) {
  if (!t.newest_data) return null;
  const lag = Date.parse(t.as_of) - Date.parse(t.newest_data);
  const here = location.pathname;
  if (asOfParam())
    return el(
      "p",
      { class: "banner", "data-banner": "as-of" },
      `As of the newest data: every window ends at ${fmtTime(t.as_of)} UTC. `,
      el("a", { href: here }, "Back to now"),
    );
  if (lag <= 30 * DAY_MS) return null;
  return el(
    "p",
    { class: "banner", "data-banner": "stale" },
    `The newest stored activity is from ${fmtTime(t.newest_data)} UTC, ${Math.floor(lag / DAY_MS)} days before now: ` +
      "the 7- and 30-day windows below count back from now and find nothing. ",
    el("a", { href: `${here}?as_of=newest`, "data-as-of": "newest" }, "Show as of the newest data"),
  );
}

const pages = {
  async overview() {
    const q = asOfParam();
    const [o, c, alerts, anomalies] = await Promise.all([
      api(`/api/overview?${q}`),
      api(`/api/charts?${q}`),
      api("/api/alerts?status=active&limit=50"),
      api("/api/anomalies?limit=20&min_severity=warning"),
    ]);
    const cycle = o.last_cycle;
    return [
      el("h1", {}, "Overview"),
      timeBanner(o),
      el(
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
          cycle
            ? `${cycle.status}, ${cycle.age_seconds === null ? "running" : cycle.age_seconds < 90 ? "just now" : `${Math.round(cycle.age_seconds / 60)} min ago`}`
            : "never",
          cycle
            ? `${cycle.run_id} (${cycle.command}), ended ${fmtTime(cycle.ended_at)} UTC${cycle.error ? `: ${cycle.error}` : ""}`
            : null,
        ),
      ),
      el(
        "div",
        { class: "grid2" },
        card(
          "Activity per wallet (transactions, 7 days; the 20 busiest)",
          bars(
            c.activity_7d,
            (r) => r.tx,
            (r) => walletLink(r.wallet, r.label),
          ),
        ),
        card(
          "Top 5 wallets by USDT volume (in + out, 30 days)",
          bars(
            c.top_usdt_30d,
            (r) => r.volume,
            (r) => walletLink(r.wallet, r.label),
          ),
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
          (() => {
            const days = [...new Set([...c.alerts_daily, ...c.anomalies_daily].map((d) => d.day))].sort();
            const of = (list) => days.map((d) => list.find((x) => x.day === d)?.n ?? 0);
            return dayChart(days, [
              { label: "anomalies", values: of(c.anomalies_daily), bars: true },
              { label: "alerts", values: of(c.alerts_daily) },
            ]);
          })(),
        ),
      ),
      el("h2", {}, "Volume per token (30 days, never summed across tokens)"),
      card(
        null,
        table(
          [
            { key: "symbol", label: "token", render: (r) => `${r.symbol ?? "?"}` },
            { key: "name", label: "name" },
            {
              key: "token_id",
              label: "token id",
              render: (r) => (r.token_id.length > 30 ? addrLink(r.token_id) : r.token_id),
            },
            { key: "transfers", label: "transfers", num: true, render: (r) => fmtNum(r.transfers) },
            { key: "volume", label: "volume", num: true, render: (r) => fmtNum(r.volume) },
          ],
          o.volume_30d_by_token,
          { name: "tokens" },
        ),
      ),
      el("h2", {}, "Open alerts"),
      card(null, alertTable(alerts.alerts)),
      el("h2", {}, "Latest anomalies (warning and above; ", el("a", { href: "/anomalies?info=1" }, "all"), ")"),
      card(null, anomalyTable(anomalies)),
    ];
  },

  async wallet(address) {
    const p = await api(`/api/wallets/${encodeURIComponent(address)}?${asOfParam()}`);
    const state = { sort: "time", order: "desc", page: 1, page_size: 25 };
    const holder = el("div", { class: "card" });
    const form = el(
      "form",
      {
        class: "filters",
        onsubmit: (e) => {
          e.preventDefault();
          state.page = 1;
          load();
        },
      },
      el("label", {}, "kind", select("kind", ["", "transfer", "transaction"])),
      el(
        "label",
        {},
        "token",
        select(
          "token",
          ["", ...p.tokens.map((t) => t.token_id)],
          p.tokens.map((t) => `${t.symbol ?? "?"} (${t.token_id.slice(0, 8)})`),
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
    async function load() {
      const q = new URLSearchParams({
        sort: state.sort,
        order: state.order,
        page: String(state.page),
        page_size: String(state.page_size),
      });
      for (const [k, v] of new FormData(form)) if (v) q.set(k, k === "to" ? `${v}T23:59:59.999Z` : v);
      const token = p.tokens.find((t) => t.token_id === q.get("token"));
      if (q.get("min") || q.get("max")) q.set("decimals", String(token ? decimalsOf(token) : 0));
      holder.replaceChildren(el("p", { class: "muted" }, "loading…"));
      try {
        const r = await api(`/api/wallets/${encodeURIComponent(address)}/activity?${q}`);
        const pages = Math.max(1, Math.ceil(r.total / r.page_size));
        holder.replaceChildren(
          table(
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
              { key: "token", label: "token", render: (x) => x.token_symbol ?? x.token_id ?? "—" },
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
          ),
          el(
            "div",
            { class: "filters" },
            el(
              "button",
              {
                disabled: state.page <= 1 ? "" : null,
                onclick: () => {
                  state.page--;
                  load();
                },
              },
              "‹ previous",
            ),
            el("span", { "data-pager": "" }, `page ${r.page} of ${pages} · ${fmtNum(r.total)} rows`),
            el(
              "button",
              {
                disabled: state.page >= pages ? "" : null,
                onclick: () => {
                  state.page++;
                  load();
                },
              },
              "next ›",
            ),
          ),
        );
      } catch (e) {
        holder.replaceChildren(el("p", { class: "error" }, e.message));
      }
    }
    load();
    return [
      el("h1", {}, p.label ? `${p.label} ` : "", addrLink(p.wallet)),
      timeBanner(p),
      el("h2", {}, "Per token (successful transfers; volumes in token units)"),
      card(
        null,
        table(
          [
            { key: "symbol", label: "token", render: (t) => t.symbol ?? t.token_id },
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
          p.tokens,
          { name: "wallet-tokens" },
        ),
      ),
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
        card(
          "Top counterparties",
          table(
            [
              {
                key: "address",
                label: "address",
                render: (c) =>
                  el(
                    "span",
                    {},
                    addrLink(c.address, c.label ? `${c.label}` : null),
                    c.lookalike
                      ? el(
                          "span",
                          {
                            class: "warn",
                            title: "sent this wallet a zero/dust transfer imitating a real counterparty",
                          },
                          " ⚠ poisoning lookalike",
                        )
                      : "",
                  ),
              },
              { key: "transfers", label: "transfers", num: true },
              { key: "tokens", label: "tokens", num: true },
              { key: "last_seen", label: "last seen", render: (c) => fmtTime(c.last_seen) },
            ],
            p.counterparties,
            { name: "counterparties" },
          ),
        ),
      ),
      el("h2", {}, "Transactions and transfers"),
      form,
      holder,
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
  },

  async alerts() {
    const params = new URLSearchParams(location.search);
    const data = await api(`/api/alerts?${params}`);
    const form = el(
      "form",
      { class: "filters", method: "get" },
      el(
        "label",
        {},
        "status",
        select("status", ["", "active", "open", "acknowledged", "resolved"], null, params.get("status")),
      ),
      el("label", {}, "rule", select("rule", ["", ...data.rules], null, params.get("rule"))),
      el("label", {}, "wallet", el("input", { name: "wallet", size: 36, value: params.get("wallet") ?? "" })),
      el("button", { type: "submit" }, "Filter"),
    );
    return [el("h1", {}, "Alerts"), form, card(null, alertTable(data.alerts, true))];
  },

  async anomalies() {
    const params = new URLSearchParams(location.search);
    const info = params.get("info") === "1";
    params.delete("info");
    params.set("min_severity", info ? "info" : "warning");
    const [rows, types, feed] = await Promise.all([
      api(`/api/anomalies?${params}`),
      api("/api/anomaly-types"),
      api(`/api/anomalies/feed?${params}`),
    ]);
    const form = el(
      "form",
      { class: "filters", method: "get" },
      el("label", {}, "type", select("type", ["", ...types], null, params.get("type"))),
      el("label", {}, "wallet", el("input", { name: "wallet", size: 36, value: params.get("wallet") ?? "" })),
      el(
        "label",
        {},
        el("input", { type: "checkbox", name: "info", value: "1", checked: info ? "checked" : null }),
        " include info",
      ),
      el("button", { type: "submit" }, "Filter"),
    );
    return [
      el("h1", {}, "Anomalies"),
      form,
      el("h2", {}, "By wallet, type and day"),
      card(null, feedTable(feed)),
      el("h2", {}, "Each finding (newest first)"),
      card(null, anomalyTable(rows)),
    ];
  },

  async health() {
    const h = await api("/api/health");
    return [
      el("h1", {}, "Health of the monitor"),
      el("h2", {}, "Health alerts"),
      card(
        null,
        table(
          [
            { key: "rule_name", label: "check" },
            { key: "wallet", label: "wallet" },
            { key: "value", label: "value", num: true },
            { key: "threshold", label: "threshold", num: true },
            { key: "status", label: "status", render: (r) => badge(r.status) },
            { key: "first_seen", label: "since", render: (r) => fmtTime(r.first_seen) },
          ],
          h.health,
          { name: "health-alerts" },
        ),
      ),
      el("h2", {}, "Wallet lag"),
      card(
        null,
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
          h.lags,
          { name: "lags" },
        ),
      ),
      el("h2", {}, "Last cycles"),
      card(
        null,
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
          h.runs,
          { name: "runs" },
        ),
      ),
      el("h2", {}, "Notification delivery"),
      card(
        null,
        table(
          [
            { key: "sink", label: "sink" },
            { key: "delivered", label: "delivered", num: true },
            { key: "pending", label: "pending", num: true },
            { key: "given_up", label: "given up", num: true },
            { key: "last_error", label: "last error", wrap: true },
          ],
          h.sinks,
          { name: "sinks" },
        ),
      ),
      el("h2", {}, `Quarantined records (${h.quarantined})`),
      card(
        null,
        table(
          [
            { key: "endpoint", label: "endpoint" },
            { key: "wallet", label: "wallet" },
            { key: "reason", label: "reason", wrap: true },
          ],
          h.quarantine,
          { name: "quarantine" },
        ),
      ),
    ];
  },
};

function decimalsOf(t) {
  return t.token_id === "_" ? 6 : (t.decimals ?? 6);
}

function select(name, values, labels, selected) {
  return el(
    "select",
    { name },
    values.map((v, i) =>
      el("option", { value: v, selected: v === selected ? "" : null }, v === "" ? "any" : (labels?.[i - 1] ?? v)),
    ),
  );
}

function alertTable(rows, actions = false) {
  return table(
    [
      { key: "rule_name", label: "rule" },
      { key: "wallet", label: "wallet", render: (a) => (a.wallet === "*" ? "monitor" : walletLink(a.wallet)) },
      {
        key: "value",
        label: "value",
        num: true,
        render: (a) => `${fmtNum(a.value)}${a.token_symbol ? ` ${a.token_symbol}` : ""}`,
      },
      { key: "threshold", label: "threshold", num: true, render: (a) => fmtNum(a.threshold) },
      { key: "status", label: "status", render: (a) => badge(a.status) },
      { key: "first_seen", label: "opened", render: (a) => fmtTime(a.first_seen) },
      {
        key: "note",
        label: "note",
        wrap: true,
        render: (a) => (a.note ? `${a.note}${a.acted_by ? ` — ${a.acted_by}` : ""}` : ""),
      },
      ...(actions
        ? [
            {
              key: "act",
              label: "",
              render: (a) =>
                a.status === "resolved"
                  ? ""
                  : el(
                      "span",
                      {},
                      el(
                        "button",
                        { "data-act": "ack", "data-alert": a.alert_id, onclick: () => act(a, "ack") },
                        "acknowledge",
                      ),
                      " ",
                      el(
                        "button",
                        { "data-act": "resolve", "data-alert": a.alert_id, onclick: () => act(a, "resolve") },
                        "resolve",
                      ),
                    ),
            },
          ]
        : []),
    ],
    rows,
    { name: "alerts" },
  );
}

async function act(a, action) {
  const note = prompt(`${action === "ack" ? "Acknowledge" : "Resolve"} "${a.rule_name}" for ${a.wallet}: note`);
  if (!note) return;
  try {
    await api(`/api/alerts/${a.alert_id}/${action}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-tronmon-request": "1" },
      body: JSON.stringify({ note }),
    });
    render();
  } catch (e) {
    alert(e.message);
  }
}

/** The grouped feed: one row per wallet x type x day, with a "mark reviewed" action. */
function feedTable(rows) {
  return table(
    [
      { key: "day", label: "day (UTC)" },
      { key: "wallet", label: "wallet", render: (r) => walletLink(r.wallet) },
      { key: "type", label: "type", render: (r) => badge(r.type) },
      { key: "severity", label: "severity", render: (r) => badge(r.severity) },
      { key: "count", label: "findings", num: true },
      { key: "example", label: "largest", wrap: true },
      {
        key: "reviewed",
        label: "reviewed",
        render: (r) =>
          r.reviewed >= r.count
            ? `by ${r.reviewed_by} ${fmtTime(r.reviewed_at)}`
            : el(
                "button",
                {
                  "data-review": `${r.wallet}|${r.type}|${r.day}`,
                  onclick: () => review(r),
                },
                r.reviewed ? `Mark the other ${r.count - r.reviewed} reviewed` : "Mark reviewed",
              ),
      },
    ],
    rows,
    { name: "feed" },
  );
}

async function review(r) {
  try {
    await api("/api/anomalies/review", {
      method: "POST",
      headers: { "content-type": "application/json", "x-tronmon-request": "1" },
      body: JSON.stringify({ wallet: r.wallet, type: r.type, day: r.day }),
    });
    render();
  } catch (e) {
    alert(e.message);
  }
}

function anomalyTable(rows) {
  return table(
    [
      { key: "detected_at", label: "detected (UTC)", render: (r) => fmtTime(r.detected_at) },
      { key: "anomaly_type", label: "type", render: (r) => badge(r.anomaly_type) },
      { key: "severity", label: "severity", render: (r) => (r.severity ? badge(r.severity) : "—") },
      { key: "wallet", label: "wallet", render: (r) => walletLink(r.wallet) },
      {
        key: "transaction_id",
        label: "transaction",
        render: (r) => (r.transaction_id ? txLink(r.transaction_id) : "—"),
      },
      {
        key: "amount",
        label: "amount",
        num: true,
        render: (r) => (r.amount === null ? "—" : `${fmtNum(r.amount)} ${r.token_symbol ?? ""}`),
      },
      { key: "reason", label: "reason", wrap: true },
    ],
    rows,
    { name: "anomalies" },
  );
}

async function render() {
  const path = location.pathname;
  const [name, arg] = path.startsWith("/wallet/")
    ? ["wallet", decodeURIComponent(path.slice(8))]
    : [path === "/" ? "overview" : path.slice(1), null];
  for (const a of document.querySelectorAll("header nav a")) a.classList.toggle("active", a.dataset.nav === name);
  const page = pages[name];
  if (!page) {
    main.replaceChildren(el("p", { class: "error" }, "no such page"));
    return;
  }
  try {
    const nodes = await page(arg);
    main.replaceChildren(...nodes);
    document.body.dataset.loaded = name;
    document.getElementById("status").textContent = `updated ${new Date().toISOString().slice(11, 19)} UTC`;
  } catch (e) {
    main.replaceChildren(el("p", { class: "error" }, `Could not load: ${e.message}`));
  }
}

// refresh every 30 s, and as soon as a cycle ends
setInterval(() => {
  if (location.pathname !== "/" || !document.hidden) render();
}, 30_000);
setInterval(async () => {
  try {
    const r = await api("/api/last-cycle");
    const id = r?.run_id ?? null;
    if (lastRun !== null && id !== lastRun && !location.pathname.startsWith("/wallet/")) render();
    lastRun = id;
  } catch {
    /* the next poll retries */
  }
}, 5_000);
render();
