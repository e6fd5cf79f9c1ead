// Wallets: every watched wallet with its label, profile, last activity, how far its data is complete, and what is
// open on it (alerts, findings to triage).
import { api, card, el, fmtNum, fmtTime, t, table, walletLink } from "../ui.js";

export async function wallets() {
  const rows = await api("/api/wallets");
  return [
    el("h1", {}, t("Watched wallets")),
    el(
      "p",
      { class: "muted" },
      t("Add or remove wallets on the command line (the config file is edited, comments kept):"),
      " ",
      el("code", {}, "tronmon wallets add|remove"),
    ),
    card(
      null,
      table(
        [
          { key: "label", label: "label", render: (r) => walletLink(r.address, r.label) },
          { key: "profile", label: "profile", render: (r) => r.profile ?? "—" },
          { key: "last_activity", label: "last activity (UTC)", render: (r) => fmtTime(r.last_activity) },
          {
            key: "synced_to",
            label: "complete up to (UTC)",
            render: (r) => (r.synced_to ? fmtTime(r.synced_to) : t("backfill under way")),
          },
          {
            key: "open_alerts",
            label: "open alerts",
            num: true,
            render: (r) =>
              r.open_alerts
                ? el("a", { href: `/alerts?status=active&wallet=${r.address}` }, fmtNum(r.open_alerts))
                : "0",
          },
          {
            key: "open_findings",
            label: "findings to triage",
            num: true,
            render: (r) =>
              r.open_findings ? el("a", { href: `/queue?wallet=${r.address}` }, fmtNum(r.open_findings)) : "0",
          },
          { key: "findings", label: "findings in all", num: true, render: (r) => fmtNum(r.findings) },
        ],
        rows,
        { name: "wallets" },
      ),
    ),
  ];
}
