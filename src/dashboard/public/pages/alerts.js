// Alerts: every rule and health alert, filtered by status, rule and wallet (address or label), with acknowledge
// and resolve (a disposition, and a suppression if it was a false positive).
import { api, card, el, filterForm, select, t } from "../ui.js";
import { alertTable } from "../lists.js";

export async function alerts() {
  const params = new URLSearchParams(location.search);
  const q = new URLSearchParams();
  for (const k of ["status", "rule", "wallet"]) if (params.get(k)) q.set(k, params.get(k));
  const data = await api(`/api/alerts?${q}`);
  const form = filterForm([
    el(
      "label",
      {},
      t("status"),
      select("status", ["", "active", "open", "acknowledged", "resolved"], null, params.get("status")),
    ),
    el("label", {}, t("rule"), select("rule", ["", ...data.rules], ["", ...data.rules], params.get("rule"))),
    el(
      "label",
      {},
      t("wallet"),
      el("input", { name: "wallet", size: 30, value: params.get("wallet") ?? "", placeholder: t("address or label") }),
    ),
  ]);
  return [el("h1", {}, t("Alerts")), form, card(null, alertTable(data.alerts, true))];
}
