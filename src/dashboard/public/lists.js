// The lists several pages show — alerts, the triage queue, the grouped anomaly feed, single findings — and the
// dialog an analyst acts through: acknowledge with a note, or close with a disposition, a reason and, for a false
// positive or benign one, a suppression. An action asks the page to render again.
import { badge, el, fmtNum, fmtTime, post, t, table, tokenLabel, txLink, walletShort } from "./ui.js";

/** Asks the router to render the page again (app.js listens). */
const refresh = () => document.dispatchEvent(new Event("tronmon:refresh"));

const valueText = (v, unit) => (v === null || v === undefined ? "—" : `${fmtNum(v)}${unit ? ` ${unit}` : ""}`);
const condition = (a) =>
  a.kind === "health" ? `${fmtNum(a.value)} ${a.op} ${fmtNum(a.threshold)}` : valueText(a.value, a.token_symbol);

export function alertTable(rows, actions = false) {
  return table(
    [
      { key: "severity", label: "severity", render: (a) => badge(a.severity) },
      { key: "rule_name", label: "rule", wrap: true },
      { key: "wallet", label: "wallet", render: (a) => walletShort(a.wallet, a.label) },
      { key: "value", label: "value", num: true, render: condition },
      {
        key: "threshold",
        label: "threshold",
        num: true,
        render: (a) => (a.kind === "health" ? "—" : fmtNum(a.threshold)),
      },
      { key: "status", label: "status", render: (a) => badge(a.status) },
      { key: "first_seen", label: "opened (UTC)", render: (a) => fmtTime(a.first_seen) },
      {
        key: "note",
        label: "note",
        wrap: true,
        render: (a) =>
          el(
            "span",
            {},
            a.disposition ? badge(a.disposition) : null,
            a.disposition ? " " : null,
            a.note ? `${a.note}${a.acted_by ? ` — ${a.acted_by}` : ""}` : "",
          ),
      },
      ...(actions ? [{ key: "act", label: "", render: (a) => (a.status === "resolved" ? "" : alertButtons(a)) }] : []),
    ],
    rows,
    { name: "alerts" },
  );
}

const alertButtons = (a) =>
  el(
    "span",
    { class: "actions" },
    a.status === "open"
      ? el(
          "button",
          {
            type: "button",
            "data-act": "ack",
            "data-alert": a.alert_id,
            onclick: () => openDialog({ kind: "ack", item: a }),
          },
          t("acknowledge"),
        )
      : null,
    el(
      "button",
      {
        type: "button",
        "data-act": "resolve",
        "data-alert": a.alert_id,
        onclick: () => openDialog({ kind: "alert", item: a }),
      },
      t("resolve"),
    ),
  );

/** The queue: alerts and findings together, most severe first, then newest. */
export function queueTable(rows) {
  return table(
    [
      { key: "severity", label: "severity", render: (r) => badge(r.severity) },
      { key: "kind", label: "kind", render: (r) => t(r.kind) },
      {
        key: "what",
        label: "rule or detector",
        render: (r) => (r.kind === "finding" ? badge(r.what) : r.what),
        wrap: true,
      },
      { key: "wallet", label: "wallet", render: (r) => walletShort(r.wallet, r.label) },
      {
        key: "value",
        label: "value",
        num: true,
        render: (r) =>
          r.value === null
            ? "—"
            : el("span", {}, fmtNum(r.value), " ", r.unit ? tokenLabel(r.unit, null, r.imitates ?? null) : ""),
      },
      { key: "time", label: "when (UTC)", render: (r) => fmtTime(r.time) },
      {
        key: "detail",
        label: "detail",
        wrap: true,
        render: (r) =>
          el(
            "span",
            {},
            r.transaction_id ? txLink(r.transaction_id) : null,
            r.transaction_id ? " " : null,
            r.detail ?? "",
          ),
      },
      {
        key: "act",
        label: "",
        render: (r) =>
          el(
            "button",
            {
              type: "button",
              "data-close": `${r.kind}:${r.id}`,
              onclick: () =>
                openDialog(
                  r.kind === "alert"
                    ? { kind: "alert", item: { alert_id: r.id, rule_name: r.what, wallet: r.wallet, label: r.label } }
                    : {
                        kind: "finding",
                        item: { anomaly_id: r.id, anomaly_type: r.what, wallet: r.wallet, label: r.label },
                      },
                ),
            },
            t("close…"),
          ),
      },
    ],
    rows,
    { name: "queue" },
  );
}

/** The grouped feed: one row per wallet x type x day, with a "mark reviewed" action. */
export function feedTable(rows) {
  return table(
    [
      { key: "day", label: "day (UTC)" },
      { key: "wallet", label: "wallet", render: (r) => walletShort(r.wallet, r.label) },
      { key: "type", label: "type", render: (r) => badge(r.type) },
      { key: "severity", label: "severity", render: (r) => badge(r.severity) },
      { key: "count", label: "findings", num: true, render: (r) => fmtNum(r.count) },
      { key: "example", label: "largest", wrap: true },
      {
        key: "reviewed",
        label: "reviewed",
        render: (r) =>
          r.reviewed >= r.count
            ? t("by {who} {when}", { who: r.reviewed_by, when: fmtTime(r.reviewed_at) })
            : el(
                "button",
                { type: "button", "data-review": `${r.wallet}|${r.type}|${r.day}`, onclick: () => review(r) },
                r.reviewed ? t("Mark the other {n} reviewed", { n: r.count - r.reviewed }) : t("Mark reviewed"),
              ),
      },
    ],
    rows,
    { name: "feed" },
  );
}

async function review(r) {
  try {
    await post("/api/anomalies/review", { wallet: r.wallet, type: r.type, day: r.day });
    refresh();
  } catch (e) {
    showError(e);
  }
}

export function anomalyTable(rows, actions = false) {
  return table(
    [
      { key: "detected_at", label: "detected (UTC)", render: (r) => fmtTime(r.detected_at) },
      { key: "anomaly_type", label: "type", render: (r) => badge(r.anomaly_type) },
      { key: "severity", label: "severity", render: (r) => (r.severity ? badge(r.severity) : "—") },
      { key: "wallet", label: "wallet", render: (r) => walletShort(r.wallet, r.label) },
      {
        key: "transaction_id",
        label: "transaction",
        render: (r) => (r.transaction_id ? txLink(r.transaction_id) : "—"),
      },
      {
        key: "amount",
        label: "amount",
        num: true,
        render: (r) =>
          r.amount === null
            ? "—"
            : el("span", {}, fmtNum(r.amount), " ", tokenLabel(r.token_symbol ?? "", r.token_id, r.imitates ?? null)),
      },
      { key: "reason", label: "reason", wrap: true },
      ...(actions
        ? [
            {
              key: "act",
              label: "",
              render: (r) =>
                r.disposition
                  ? badge(r.disposition)
                  : r.reviewed_by
                    ? t("reviewed")
                    : el(
                        "button",
                        {
                          type: "button",
                          "data-close": `finding:${r.anomaly_id}`,
                          onclick: () => openDialog({ kind: "finding", item: r }),
                        },
                        t("close…"),
                      ),
            },
          ]
        : []),
    ],
    rows,
    { name: "anomalies" },
  );
}

/** A failure of an action, said in the page (no alert()). */
function showError(e) {
  const box = document.getElementById("flash");
  if (box) box.textContent = t("Could not save: {why}", { why: e.message });
}

/**
 * The one dialog for acting: `ack` asks for a note; `alert` and `finding` ask for a disposition and a reason, and
 * offer a suppression (not for a true positive) with its factor and end date.
 */
export function openDialog({ kind, item }) {
  document.getElementById("act-dialog")?.remove();
  const closing = kind !== "ack";
  const subject =
    kind === "finding"
      ? `${t(item.anomaly_type)} — ${item.label ?? item.wallet}`
      : `${item.rule_name} — ${item.label ?? item.wallet}`;
  const error = el("p", { class: "error", role: "alert" });
  const disposition = el(
    "fieldset",
    { class: "choices" },
    el("legend", {}, t("It was")),
    ["true_positive", "false_positive", "benign"].map((d) =>
      el("label", {}, el("input", { type: "radio", name: "disposition", value: d, required: "" }), " ", t(d)),
    ),
  );
  const suppress = el(
    "fieldset",
    { class: "suppress" },
    el("legend", {}, t("Suppress")),
    el(
      "label",
      {},
      el("input", { type: "checkbox", name: "suppress", value: "1" }),
      " ",
      t("Keep this condition from reopening"),
    ),
    kind === "finding"
      ? el(
          "label",
          {},
          el("input", { type: "checkbox", name: "any_counterparty", value: "1" }),
          " ",
          t("for every counterparty, not only this one"),
        )
      : null,
    el(
      "label",
      {},
      t("reopen when the value reaches this many times today's"),
      el("input", { name: "factor", inputmode: "decimal", size: 6, placeholder: "2" }),
    ),
    el("label", {}, t("until (UTC date; empty: until removed)"), el("input", { name: "until", type: "date" })),
  );
  const form = el(
    "form",
    { method: "dialog", onsubmit: (e) => submit(e, kind, item, error) },
    el("h2", {}, closing ? t("Close: {what}", { what: subject }) : t("Acknowledge: {what}", { what: subject })),
    closing ? disposition : null,
    el(
      "label",
      { class: "block" },
      closing ? t("Reason") : t("Note"),
      el("textarea", { name: "note", rows: 3, required: "", maxlength: 2000 }),
    ),
    closing ? suppress : null,
    error,
    el(
      "div",
      { class: "buttons" },
      el("button", { type: "submit", "data-submit": kind }, closing ? t("Close it") : t("Acknowledge")),
      el("button", { type: "button", onclick: () => dialog.close() }, t("Cancel")),
    ),
  );
  const dialog = el("dialog", { id: "act-dialog", "aria-label": subject }, form);
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  form.querySelector(closing ? "input[name=disposition]" : "textarea")?.focus();
}

async function submit(e, kind, item, error) {
  e.preventDefault();
  const f = new FormData(e.target);
  const note = String(f.get("note") ?? "").trim();
  const disposition = f.get("disposition");
  const wantsSuppress = f.get("suppress") === "1";
  if (wantsSuppress && disposition === "true_positive") {
    error.textContent = t("A true positive is not suppressed.");
    return;
  }
  const factor = String(f.get("factor") ?? "").trim();
  const until = String(f.get("until") ?? "").trim();
  const suppress = wantsSuppress
    ? {
        ...(factor ? { factor } : {}),
        ...(until ? { until } : {}),
        ...(kind === "finding" && f.get("any_counterparty") === "1" ? { any_counterparty: true } : {}),
      }
    : undefined;
  try {
    if (kind === "ack") await post(`/api/alerts/${item.alert_id}/ack`, { note });
    else if (kind === "alert")
      await post(`/api/alerts/${item.alert_id}/resolve`, { note, disposition, ...(suppress ? { suppress } : {}) });
    else
      await post(`/api/findings/${encodeURIComponent(item.anomaly_id)}/close`, {
        reason: note,
        disposition,
        ...(suppress ? { suppress } : {}),
      });
    document.getElementById("act-dialog")?.close();
    refresh();
  } catch (err) {
    error.textContent = err.message;
  }
}
