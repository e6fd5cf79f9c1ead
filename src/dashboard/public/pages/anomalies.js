// Anomalies: the grouped feed (wallet x type x day, to mark reviewed) and each finding, newest first.
import { api, card, el, select } from "../ui.js";
import { anomalyTable, feedTable } from "../lists.js";

export async function anomalies() {
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
}
