// Alerts: every rule alert, filtered by status, rule and wallet, with acknowledge and resolve.
import { api, card, el, select } from "../ui.js";
import { alertTable } from "../lists.js";

export async function alerts() {
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
}
