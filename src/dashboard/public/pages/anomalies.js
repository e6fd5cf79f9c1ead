// Anomalies: the grouped feed (wallet x type x day, to mark reviewed) and each finding, newest first, each closed
// with a disposition.
import { api, card, el, filterForm, select, t } from "../ui.js";
import { anomalyTable, feedTable } from "../lists.js";

export async function anomalies() {
  const params = new URLSearchParams(location.search);
  const info = params.get("info") === "1";
  const q = new URLSearchParams();
  for (const k of ["type", "wallet"]) if (params.get(k)) q.set(k, params.get(k));
  q.set("min_severity", info ? "info" : "warning");
  const [rows, types, feed] = await Promise.all([
    api(`/api/anomalies?${q}`),
    api("/api/anomaly-types"),
    api(`/api/anomalies/feed?${q}`),
  ]);
  const form = filterForm([
    el("label", {}, t("type"), select("type", ["", ...types], null, params.get("type"))),
    el(
      "label",
      {},
      t("wallet"),
      el("input", { name: "wallet", size: 30, value: params.get("wallet") ?? "", placeholder: t("address or label") }),
    ),
    el(
      "label",
      { class: "check" },
      el("input", { type: "checkbox", name: "info", value: "1", checked: info ? "" : null }),
      " ",
      t("include info"),
    ),
  ]);
  return [
    el("h1", {}, t("Anomalies")),
    form,
    el("h2", {}, t("By wallet, type and day")),
    card(null, feedTable(feed)),
    el("h2", {}, t("Each finding (newest first)")),
    card(null, anomalyTable(rows, true)),
  ];
}
