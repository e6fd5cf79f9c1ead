// The dashboard's router: which page the path names (pages/), rendered into <main>. Links inside the app change
// the URL without reloading; the view (filters, sort, page) lives in the URL, so a refresh — every 30 s and as soon
// as a cycle ends — shows the same view, and it is skipped while someone types, has a dialog open or a filter
// half-filled. The header (menu, search, language) is built here. Building blocks: ui.js, lists.js, i18n.js.
import { api, el, navigate, t } from "./ui.js";
import { LANGS, lang } from "./i18n.js";
import { overview } from "./pages/overview.js";
import { wallet } from "./pages/wallet.js";
import { wallets } from "./pages/wallets.js";
import { queue } from "./pages/queue.js";
import { alerts } from "./pages/alerts.js";
import { anomalies } from "./pages/anomalies.js";
import { health } from "./pages/health.js";
import { risk } from "./pages/risk.js";
import { transaction, address, searchPage } from "./pages/lookup.js";

const main = document.getElementById("main");
const NAV = [
  ["overview", "/", "Overview"],
  ["queue", "/queue", "Queue"],
  ["wallets", "/wallets", "Wallets"],
  ["alerts", "/alerts", "Alerts"],
  ["anomalies", "/anomalies", "Anomalies"],
  ["risk", "/risk", "Risk"],
  ["health", "/health", "Health"],
];
const PAGES = {
  overview,
  queue,
  wallets,
  wallet,
  alerts,
  anomalies,
  risk,
  health,
  tx: transaction,
  address,
  search: searchPage,
};
let lastRun = null;
let renders = 0;

function route() {
  const p = location.pathname;
  for (const [prefix, name] of [
    ["/wallet/", "wallet"],
    ["/tx/", "tx"],
    ["/address/", "address"],
  ])
    if (p.startsWith(prefix)) return [name, decodeURIComponent(p.slice(prefix.length))];
  return [p === "/" ? "overview" : p.slice(1), null];
}

function header() {
  const h = document.getElementById("header");
  const search = el(
    "form",
    {
      role: "search",
      class: "search",
      onsubmit: async (e) => {
        e.preventDefault();
        const q = String(new FormData(e.target).get("q") ?? "").trim();
        if (q) navigate(`/search?q=${encodeURIComponent(q)}`);
      },
    },
    el("input", {
      name: "q",
      type: "search",
      placeholder: t("address, label or transaction hash"),
      "aria-label": t("Search"),
    }),
    el("button", { type: "submit" }, t("Search")),
  );
  const language = el(
    "select",
    {
      "aria-label": t("Language"),
      name: "lang",
      onchange: (e) => {
        const q = new URLSearchParams(location.search);
        q.set("lang", e.target.value);
        location.search = q.toString(); // a reload: every text in the other language
      },
    },
    Object.entries(LANGS).map(([k, v]) => el("option", { value: k, selected: k === lang ? "" : null }, v)),
  );
  h.replaceChildren(
    el("strong", {}, "tronmon"),
    el(
      "nav",
      {},
      NAV.map(([name, href, label]) => el("a", { href, "data-nav": name }, t(label))),
    ),
    search,
    language,
    el("span", { id: "status", "aria-live": "polite" }),
  );
}

async function render() {
  const [name, arg] = route();
  for (const a of document.querySelectorAll("header nav a"))
    a.classList.toggle("active", a.dataset.nav === name || (name === "wallet" && a.dataset.nav === "wallets"));
  const page = PAGES[name];
  if (!page) {
    main.replaceChildren(el("p", { class: "error" }, t("no such page")));
    return;
  }
  const y = window.scrollY;
  const mine = ++renders; // a slower, older render must not overwrite a newer one
  try {
    const nodes = await page(arg);
    if (mine !== renders) return;
    // a part a page leaves out (no banner to show) is null: nothing, never the text "null"
    main.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined && n !== false));
    document.title = `tronmon · ${t(NAV.find(([n]) => n === name)?.[2] ?? "Overview")}`;
    document.body.dataset.loaded = name;
    document.body.dataset.view = location.pathname + location.search; // what was rendered (tests wait on it)
    document.getElementById("status").textContent = t("updated {time} UTC", {
      time: new Date().toISOString().slice(11, 19),
    });
    window.scrollTo(0, y);
  } catch (e) {
    if (mine !== renders) return;
    main.replaceChildren(el("p", { class: "error" }, t("Could not load: {why}", { why: e.message })));
    document.body.dataset.loaded = `${name}:error`;
  }
}

/** Someone is at work on the page: typing, choosing in a dialog, or a filter changed but not applied. */
function busy() {
  if (document.querySelector("dialog[open]")) return true;
  const a = document.activeElement;
  if (a && a !== document.body && main.contains(a) && /^(INPUT|SELECT|TEXTAREA)$/.test(a.tagName)) return true;
  for (const f of main.querySelectorAll("form"))
    for (const i of f.elements) {
      if (i.type === "checkbox" || i.type === "radio") {
        if (i.checked !== i.defaultChecked) return true;
      } else if (i.tagName === "SELECT") {
        if ([...i.options].some((o) => o.selected !== o.defaultSelected)) return true;
      } else if ("value" in i && "defaultValue" in i && i.value !== i.defaultValue) return true;
    }
  return false;
}
const refreshIfIdle = () => {
  if (!document.hidden && !busy()) render();
};

header();
// links inside the app: the URL changes, the page renders, nothing reloads (new tabs and other sites as usual)
document.addEventListener("click", (e) => {
  const a = e.target.closest?.("a[href]");
  if (!a || a.target || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
  window.scrollTo(0, 0);
});
window.addEventListener("popstate", () => render());
document.addEventListener("tronmon:navigate", () => render());
// an action (acknowledge, close, mark reviewed) asks for the page again
document.addEventListener("tronmon:refresh", () => render());
setInterval(refreshIfIdle, 30_000);
setInterval(async () => {
  try {
    const r = await api("/api/last-cycle");
    const id = r?.run_id ?? null;
    if (lastRun !== null && id !== lastRun) refreshIfIdle();
    lastRun = id;
  } catch {
    /* the next poll retries */
  }
}, 5_000);
render();
