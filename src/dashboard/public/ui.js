// The dashboard's building blocks: elements, links, the API call, tables (sortable by keyboard, stacked on a
// phone), bars and day charts, cards, KPIs, token labels. Every value from the chain or TronScan is put in the page
// as text (textContent / text nodes), never as HTML.
import { fmtDay, fmtNum, fmtTick, fmtTime, t } from "./i18n.js";

export { fmtNum, fmtTime, t };
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
    if (c !== null && c !== undefined && c !== false)
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const short = (a) => `${a.slice(0, 6)}…${a.slice(-4)}`;

/** A transaction: its page here; TronScan is the secondary link beside it. */
export const txLink = (hash) =>
  el("a", { href: `/tx/${encodeURIComponent(hash)}`, title: hash, "data-tx": hash }, `${hash.slice(0, 10)}…`);
/** An address that is not watched: its page here (its dealings with the watched wallets). */
export const addrLink = (a, label) =>
  el("a", { href: `/address/${encodeURIComponent(a)}`, title: a, "data-address": a }, label ?? a);
/** A watched wallet: its label and a short address, or the address; the full address in the title. */
export const walletLink = (a, label) =>
  el(
    "a",
    { href: `/wallet/${encodeURIComponent(a)}`, "data-wallet": a, title: a },
    label ? `${label} (${short(a)})` : a,
  );
/** The same, short: the label alone, else the short address (tables where room counts). */
export const walletShort = (a, label) =>
  a === "*"
    ? t("monitor")
    : el("a", { href: `/wallet/${encodeURIComponent(a)}`, "data-wallet": a, title: a }, label ?? short(a));
/** TronScan's page of an address or transaction: a secondary action, opened in a new tab. */
export const tronscanLink = (kind, id) =>
  el(
    "a",
    {
      href: `${TRONSCAN}/${kind}/${encodeURIComponent(id)}`,
      target: "_blank",
      rel: "noopener noreferrer",
      class: "ext",
    },
    t("TronScan ↗"),
  );

/** A status, severity or type as a badge: the class is the raw value, the text its translation. */
export const badge = (s) => el("span", { class: `badge ${s}`, "data-value": s }, t(s));

export async function api(path, opts) {
  const r = await fetch(path, opts);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
  return body;
}
/** A change asked of the API (JSON body; the header a cross-origin form cannot send). */
export const post = (path, body) =>
  api(path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-tronmon-request": "1" },
    body: JSON.stringify(body),
  });

/**
 * A table. `columns`: {key, label (English, translated here), num?, wrap?, render?}. `opts.sortable`: keys whose
 * header is a button (keyboard-reachable, `aria-sort` on the header); each cell carries its column's label for the
 * stacked layout a phone gets.
 */
export function table(columns, rows, opts = {}) {
  const sortable = (c) => opts.sortable?.includes(c.key);
  const order = (c) => (opts.sort === c.key ? (opts.order === "asc" ? "ascending" : "descending") : "none");
  const head = el(
    "tr",
    {},
    columns.map((c) =>
      el(
        "th",
        {
          class: c.num ? "num" : null,
          scope: "col",
          "data-sort": sortable(c) ? c.key : null,
          "aria-sort": sortable(c) ? order(c) : null,
        },
        sortable(c)
          ? el(
              "button",
              { type: "button", class: "sort", onclick: () => opts.onSort(c.key) },
              t(c.label),
              opts.sort === c.key ? (opts.order === "asc" ? " ▲" : " ▼") : "",
            )
          : c.label
            ? t(c.label)
            : "",
      ),
    ),
  );
  const cell = (c, r) => {
    const v = c.render ? c.render(r) : (r[c.key] ?? "—");
    const long = typeof v === "string" && v.length > 28; // uint256 amounts: wrap rather than push the table wide
    const cls = [c.num ? "num" : c.wrap ? "wrap" : "", long ? "long" : ""].join(" ").trim() || null;
    return el("td", { class: cls, "data-label": c.label ? t(c.label) : null }, v);
  };
  const body = rows.length
    ? rows.map((r) =>
        el(
          "tr",
          {},
          columns.map((c) => cell(c, r)),
        ),
      )
    : [el("tr", {}, el("td", { colspan: columns.length, class: "muted" }, t("nothing here")))];
  return el("table", { "data-table": opts.name ?? null, class: "stack" }, el("thead", {}, head), el("tbody", {}, body));
}

/** Horizontal bars: the bar's width is its share of the largest (the track takes the room left). */
export function bars(items, valueOf, labelOf, fmt = fmtNum) {
  const max = Math.max(1, ...items.map((i) => Number(valueOf(i)) || 0));
  if (!items.length) return el("p", { class: "muted" }, t("no data in this period"));
  return el(
    "div",
    { class: "bars" },
    items.map((i) =>
      el(
        "div",
        { class: "bar" },
        el("span", { class: "name" }, labelOf(i)),
        el(
          "span",
          { class: "track" },
          el("span", { class: "fill", style: `width:${Math.max(0.5, (Number(valueOf(i)) / max) * 100)}%` }),
        ),
        el("span", { class: "val" }, fmt(valueOf(i))),
      ),
    ),
  );
}

const DAY_S = 86_400;
/** At most ~8 labelled days, each on a real day of the series (never a made-up date between or beyond). */
const daySplits = (xs, width) => {
  const room = Math.max(2, Math.floor((width - 150) / 64)); // the plot is the width less its two axes
  const step = Math.max(1, Math.ceil(xs.length / room));
  return xs.filter((_, i) => i % step === 0);
};
/** Tick steps of whole units: a count axis never shows 0.5. */
const INCRS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7, 2e7, 5e7, 1e8,
  2e8, 5e8, 1e9, 2e9, 5e9, 1e10, 1e11, 1e12,
];
/** From 0 to a little above the largest value (1 when everything is 0): bars stand on 0. */
const fromZero = (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1];

/**
 * A uPlot chart over days: series = [{label (English), values, bars?}]; a second series gets the right axis.
 * Numbers are for drawing only; tables keep the exact values.
 */
export function dayChart(days, series, height = 220) {
  const box = el("div", { class: "chart" });
  if (!days.length) {
    box.append(el("p", { class: "muted" }, t("no data in this period")));
    return box;
  }
  const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  // what was drawn, for tests and for reading: the data's days, the labelled ticks (the canvas has no text)
  box.dataset.days = xs.map(fmtDay).join("|");
  box.dataset.yWhole = "1";
  const mainWidth = document.getElementById("main")?.clientWidth || 900;
  // two charts side by side on a wide screen; one the width of the page on a narrow one (a phone)
  const width = mainWidth < 1100 ? Math.max(240, mainWidth - 60) : Math.min(900, mainWidth / 2 - 60);
  const axis = (label, side, scale) => ({
    label: t(label),
    side,
    scale,
    incrs: INCRS,
    size: 64,
    values: (_u, ticks) => {
      const labels = ticks.map(fmtTick);
      if (scale === "y") box.dataset.yTicks = labels.join("|");
      return labels;
    },
    grid: { show: side === 3 },
  });
  const opts = {
    width,
    height,
    legend: { show: true },
    // one day alone is shown with the week before it, not stretched over years
    scales: {
      x: { time: false, range: (_u, min, max) => [Math.min(min, max - 6 * DAY_S) - DAY_S / 2, max + DAY_S / 2] },
      y: { range: fromZero },
      y2: { range: fromZero },
    },
    axes: [
      {
        splits: () => daySplits(xs, width),
        values: (_u, ticks) => {
          const labels = ticks.map(fmtDay);
          box.dataset.xTicks = labels.join("|");
          return labels;
        },
        space: 60,
      },
      axis(series[0].label, 3, "y"),
      ...(series[1] ? [axis(series[1].label, 1, "y2")] : []),
    ],
    series: [
      { label: t("day"), value: (_u, v) => (v === null ? "—" : fmtDay(v)) },
      ...series.map((s, i) => ({
        label: t(s.label),
        scale: i === 1 ? "y2" : "y",
        stroke: i ? "#c23c2a" : "#4a6fa5",
        fill: i ? null : "rgba(74,111,165,0.35)",
        paths: s.bars ? uPlot.paths.bars({ size: [0.7, 40] }) : undefined,
        points: { show: !s.bars },
        value: (_u, v) => (v === null ? "—" : fmtNum(String(v))),
      })),
    ],
  };
  requestAnimationFrame(() => new uPlot(opts, [xs, ...series.map((s) => s.values.map(Number))], box));
  return box;
}

/** A card: an optional heading (English, translated) over its content. */
export const card = (title, ...body) =>
  el(
    "div",
    { class: "card" },
    title === null ? null : el("h2", {}, typeof title === "string" ? t(title) : title),
    ...body,
  );

/** A headline number: `key` (English) names it (data-kpi) and is shown translated; long values get a smaller font. */
export function kpi(key, value, title, tone, sub) {
  const text = String(value);
  return el(
    "div",
    { class: `kpi${tone ? ` ${tone}` : ""}`, title: title ?? null },
    el("div", { class: "l" }, t(key)),
    el("div", { class: `v${text.length > 11 ? " long" : ""}`, "data-kpi": key }, value),
    sub ? el("div", { class: "sub" }, sub) : null,
  );
}

/** `as_of=newest` in the page's URL: the windows end at the newest stored data instead of now. */
export const asOfParam = () => (new URLSearchParams(location.search).get("as_of") === "newest" ? "as_of=newest" : "");
export const DAY_MS = 86_400_000;

/**
 * Says when the page's windows end, and offers the newest data when it is older than the longest window (30 days):
 * otherwise every window-based figure would read 0 without saying why.
 */
export function timeBanner(p) {
  if (!p.newest_data) return null;
  const lag = Date.parse(p.as_of) - Date.parse(p.newest_data);
  const here = location.pathname;
  if (asOfParam())
    return el(
      "p",
      { class: "banner", "data-banner": "as-of" },
      t("As of the newest data: every window ends at {time} UTC.", { time: fmtTime(p.as_of) }),
      " ",
      el("a", { href: here }, t("Back to now")),
    );
  if (lag <= 30 * DAY_MS) return null;
  return el(
    "p",
    { class: "banner", "data-banner": "stale" },
    t(
      "The newest stored activity is from {time} UTC, {days} days before now: the 7- and 30-day windows below count back from now and find nothing.",
      { time: fmtTime(p.newest_data), days: Math.floor(lag / DAY_MS) },
    ),
    " ",
    el("a", { href: `${here}?as_of=newest`, "data-as-of": "newest" }, t("Show as of the newest data")),
  );
}

export function decimalsOf(tk) {
  return tk.token_id === "_" ? 6 : (tk.decimals ?? 6);
}

/** A select; values "" mean any. `labels[i]` labels values[i] (else the value, translated). */
export function select(name, values, labels, selected) {
  return el(
    "select",
    { name },
    values.map((v, i) =>
      el(
        "option",
        // a label given is data (a rule's name, a token): translate="no", as browsers and the tests read it
        { value: v, selected: v === (selected ?? "") ? "" : null, translate: v !== "" && labels ? "no" : null },
        v === "" ? t("any") : (labels?.[i] ?? t(v)),
      ),
    ),
  );
}

/**
 * A token as what it is: its symbol, and — when it borrows a well-known token's symbol or name at another contract
 * (`imitates`: the real token's contract) — a plain "FAKE" flag that no one can miss.
 */
export function tokenLabel(symbol, tokenId, imitates) {
  const text = symbol ?? tokenId ?? "—";
  if (!imitates) return text;
  const title = t("Not the real token: it borrows the symbol or name of the token at {real}; this one is {id}", {
    real: imitates,
    id: tokenId,
  });
  return el("span", { "data-imitation": tokenId, title }, text, " ", el("span", { class: "flag" }, t("FAKE")));
}

/** Filter fields as URL parameters: empty ones are left out (an empty wallet is "any wallet", not an error). */
export function formQuery(form, keep = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(keep)) if (v !== null && v !== undefined && v !== "") q.set(k, v);
  for (const [k, v] of new FormData(form)) if (String(v).trim() !== "") q.set(k, String(v).trim());
  return q;
}

/** Goes to `url` inside the app (history entry; the router renders). */
export function navigate(url, replace = false) {
  history[replace ? "replaceState" : "pushState"](null, "", url);
  document.dispatchEvent(new Event("tronmon:navigate"));
}

/** A GET filter form that navigates with only its filled fields (and `keep`). */
export function filterForm(children, keep = {}) {
  return el(
    "form",
    {
      class: "filters",
      role: "search",
      onsubmit: (e) => {
        e.preventDefault();
        const q = formQuery(e.target, keep);
        navigate(`${location.pathname}${q.size ? `?${q}` : ""}`);
      },
    },
    children,
    el("button", { type: "submit" }, t("Filter")),
  );
}
