// The dashboard's router: which page the path names (pages/), rendered into <main>, refreshed every 30 s and
// as soon as a cycle ends. The building blocks are in ui.js, the shared lists in lists.js.
import { api, el } from "./ui.js";
import { overview } from "./pages/overview.js";
import { wallet } from "./pages/wallet.js";
import { alerts } from "./pages/alerts.js";
import { anomalies } from "./pages/anomalies.js";
import { health } from "./pages/health.js";
import { risk } from "./pages/risk.js";

const main = document.getElementById("main");
const pages = { overview, wallet, alerts, anomalies, risk, health };
let lastRun = null;

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
    // a part a page leaves out (no banner to show) is null: nothing, never the text "null"
    main.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined));
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
// an action on a list (acknowledge, resolve, mark reviewed) asks for the page again
document.addEventListener("tronmon:refresh", () => render());
