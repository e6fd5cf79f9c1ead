// The triage queue: open alerts and findings to review, together, most severe first and then newest, each closed
// with a disposition (and, if it was a false positive or benign, a suppression); the suppressions in force and the
// precision each rule and detector has earned.
import { api, badge, card, el, filterForm, fmtNum, fmtTime, post, select, t, table, walletShort } from "../ui.js";
import { queueTable } from "../lists.js";

export async function queue() {
  const params = new URLSearchParams(location.search);
  const q = new URLSearchParams();
  for (const k of ["wallet", "kind"]) if (params.get(k)) q.set(k, params.get(k));
  q.set("min_severity", params.get("min_severity") || "warning");
  const [items, d] = await Promise.all([api(`/api/queue?${q}`), api("/api/decisions")]);
  const form = filterForm([
    el(
      "label",
      {},
      t("wallet"),
      el("input", { name: "wallet", size: 30, value: params.get("wallet") ?? "", placeholder: t("address or label") }),
    ),
    el("label", {}, t("kind"), select("kind", ["", "alert", "finding"], null, params.get("kind"))),
    el(
      "label",
      {},
      t("at least"),
      select("min_severity", ["warning", "info", "critical"], null, params.get("min_severity") || "warning"),
    ),
  ]);
  return [
    el("h1", {}, t("Triage queue")),
    form,
    card(null, queueTable(items)),
    el(
      "div",
      { class: "grid2" },
      card("Precision by rule and detector", precision(d.precision)),
      card("Suppressions in force", suppressions(d.suppressions)),
    ),
  ];
}

const precision = (rows) =>
  el(
    "div",
    {},
    table(
      [
        {
          key: "source",
          label: "rule or detector",
          render: (r) => (r.kind === "finding" ? badge(r.source) : r.source),
          wrap: true,
        },
        { key: "true_positive", label: "true positives", num: true },
        { key: "false_positive", label: "false positives", num: true },
        { key: "benign", label: "benign", num: true },
        {
          key: "precision_pct",
          label: "precision",
          num: true,
          render: (r) => (r.precision_pct === null ? "—" : `${fmtNum(r.precision_pct)} %`),
        },
      ],
      rows,
      { name: "precision" },
    ),
    el(
      "p",
      { class: "muted" },
      t("precision = true positives / (true + false positives); benign ones are real but harmless and left out"),
    ),
  );

const suppressions = (rows) =>
  table(
    [
      { key: "wallet", label: "wallet", render: (s) => walletShort(s.wallet, null) },
      {
        key: "name",
        label: "rule or detector",
        render: (s) => (s.kind === "detector" ? badge(s.name) : s.name),
        wrap: true,
      },
      {
        key: "counterparty",
        label: "counterparty",
        render: (s) => (s.counterparty ? `${s.counterparty.slice(0, 8)}…` : t("any")),
      },
      {
        key: "reopens",
        label: "reopens at",
        render: (s) => (s.baseline === null ? "—" : `${fmtNum(s.factor)} × ${fmtNum(s.baseline)}`),
      },
      { key: "until", label: "until (UTC)", render: (s) => (s.until ? fmtTime(s.until) : t("until removed")) },
      { key: "why", label: "why", wrap: true, render: (s) => `${s.reason} — ${s.createdBy}` },
      {
        key: "act",
        label: "",
        render: (s) =>
          el(
            "button",
            {
              type: "button",
              "data-unsuppress": s.suppressionId,
              onclick: async () => {
                await post(`/api/suppressions/${s.suppressionId}/remove`, {});
                document.dispatchEvent(new Event("tronmon:refresh"));
              },
            },
            t("remove"),
          ),
      },
    ],
    rows,
    { name: "suppressions" },
  );
