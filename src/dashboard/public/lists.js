// The lists several pages show: alerts (with acknowledge / resolve), the grouped anomaly feed (with "mark
// reviewed"), single findings. An action asks the page to render again.
import { api, badge, el, fmtNum, fmtTime, table, txLink, walletLink } from "./ui.js";

/** Asks the router to render the page again (app.js listens). */
const refresh = () => document.dispatchEvent(new Event("tronmon:refresh"));

export function alertTable(rows, actions = false) {
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
                      { class: "actions" },
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
    refresh();
  } catch (e) {
    alert(e.message);
  }
}

/** The grouped feed: one row per wallet x type x day, with a "mark reviewed" action. */
export function feedTable(rows) {
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
    refresh();
  } catch (e) {
    alert(e.message);
  }
}

export function anomalyTable(rows) {
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
