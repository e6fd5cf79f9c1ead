// The dashboard's building blocks: elements, links, number and time formats, the API call, tables, bar and day
// charts, cards. Every value from the chain or TronScan is put in the page as text (textContent / text nodes),
// never as HTML.
const TRONSCAN = "https://tronscan.org/#";

export function el(tag, attrs = {}, ...children) {
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
export const txLink = (hash) =>
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
export const addrLink = (a, label) =>
  el(
    "a",
    { href: `${TRONSCAN}/address/${encodeURIComponent(a)}`, target: "_blank", rel: "noopener noreferrer", title: a },
    label ?? a,
  );
export const walletLink = (a, label) =>
  el(
    "a",
    { href: `/wallet/${encodeURIComponent(a)}`, "data-wallet": a },
    label ? `${label} (${a.slice(0, 6)}…${a.slice(-4)})` : a,
  );
export const badge = (s) => el("span", { class: `badge ${s}` }, s);
export const fmtTime = (iso) => (iso ? iso.replace("T", " ").slice(0, 19) : "—");
export const fmtNum = (s) =>
  s === null || s === undefined
    ? "—"
    : String(s).replace(/^(\d+)(\.\d+)?$/, (_, i, f) => i.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (f ?? ""));

export async function api(path, opts) {
  const r = await fetch(path, opts);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
  return body;
}

export function table(columns, rows, opts = {}) {
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

export function bars(items, valueOf, labelOf, fmt = fmtNum) {
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
export function dayChart(days, series, height = 220) {
  const box = el("div", { class: "chart" });
  if (!days.length) {
    box.append(el("p", { class: "muted" }, "no data in this period"));
    return box;
  }
  const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  // two charts side by side on a wide screen; one the width of the page on a narrow one (a phone)
  const mainWidth = document.getElementById("main")?.clientWidth || 900;
  const width = mainWidth < 1100 ? Math.max(240, mainWidth - 56) : Math.min(900, mainWidth / 2 - 56);
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
export const card = (title, ...body) =>
  el("div", { class: "card" }, title === null ? null : el("h2", {}, title), ...body);

export function kpi(label, value, title) {
  return el(
    "div",
    { class: "kpi", title: title ?? null },
    el("div", { class: "l" }, label),
    el("div", { class: "v", "data-kpi": label }, value),
  );
}

/** `as_of=newest` in the page's URL: the windows end at the newest stored data instead of now. */
export const asOfParam = () => (new URLSearchParams(location.search).get("as_of") === "newest" ? "as_of=newest" : "");
export const DAY_MS = 86_400_000;

/**
 * Says when the page's windows end, and offers the newest data when it is older than the longest window (30 days):
 * otherwise every window-based figure would read 0 without saying why.
 */
export function timeBanner(t) {
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

export function decimalsOf(t) {
  return t.token_id === "_" ? 6 : (t.decimals ?? 6);
}

export function select(name, values, labels, selected) {
  return el(
    "select",
    { name },
    values.map((v, i) =>
      el("option", { value: v, selected: v === selected ? "" : null }, v === "" ? "any" : (labels?.[i - 1] ?? v)),
    ),
  );
}

/**
 * A token as what it is: its symbol, marked when it borrows a well-known token's symbol or name at another contract
 * (`imitates`: the real token's contract).
 */
export function tokenLabel(symbol, tokenId, imitates) {
  const text = symbol ?? tokenId ?? "—";
  if (!imitates) return text;
  const title = `Not the real token: it borrows the symbol or name of the token at ${imitates}; this is ${tokenId}`;
  return el("span", { "data-imitation": tokenId }, text, el("span", { class: "warn", title }, " ⚠ imitation"));
}
