// Counterparty risk: who is on the other side. The lists and their versions, the screening's findings by list,
// exposure per wallet and token (share of inbound value from listed addresses), counterparties Tether froze.
import {
  addrLink,
  api,
  asOfParam,
  badge,
  card,
  el,
  fmtNum,
  fmtTime,
  kpi,
  t,
  table,
  timeBanner,
  tokenLabel,
  txLink,
  walletShort,
} from "../ui.js";
import { anomalyTable } from "../lists.js";

export async function risk() {
  const r = await api(`/api/risk?${asOfParam()}`);
  const open = r.findings.byList.reduce((n, b) => n + b.open, 0);
  return [
    el("h1", {}, t("Counterparty risk")),
    timeBanner(r),
    el(
      "div",
      { class: "kpis" },
      kpi("open risk findings", fmtNum(open)),
      kpi("wallets exposed", fmtNum(new Set(r.exposure.map((e) => e.wallet)).size)),
      kpi("frozen counterparties", fmtNum(new Set(r.frozen.map((f) => f.address)).size)),
      kpi("lists", fmtNum(r.lists.length)),
    ),
    el("h2", {}, t("Findings by list")),
    card(null, byList(r.findings.byList)),
    el("h2", {}, t("Exposure per wallet (inbound value directly from listed addresses)")),
    card(null, exposure(r.exposure)),
    el("h2", {}, t("Counterparties frozen by Tether (USDT blacklist)")),
    card(null, frozen(r.frozen)),
    el("h2", {}, t("Lists (latest version)")),
    card(null, lists(r.lists)),
    el("h2", {}, t("Newest risk findings")),
    card(null, anomalyTable(r.findings.latest, true)),
  ];
}

const byList = (rows) =>
  table(
    [
      { key: "list", label: "list" },
      { key: "open", label: "open", num: true, render: (r) => fmtNum(r.open) },
      { key: "resolved", label: "resolved", num: true, render: (r) => fmtNum(r.resolved) },
      { key: "wallets", label: "wallets", num: true, render: (r) => fmtNum(r.wallets) },
    ],
    rows,
    { name: "risk-by-list" },
  );

const pct = (v) => (v === null ? "—" : `${fmtNum(v)} %`);
const exposure = (rows) =>
  table(
    [
      { key: "wallet", label: "wallet", render: (r) => walletShort(r.wallet, r.label ?? null) },
      {
        key: "token_symbol",
        label: "token",
        render: (r) => tokenLabel(r.token_symbol ?? r.token_id, r.token_id, r.imitates ?? null),
      },
      { key: "listed_30d", label: "from listed, 30 d", num: true, render: (r) => fmtNum(r.listed_30d) },
      { key: "share_30d", label: "share 30 d", num: true, render: (r) => pct(r.share_30d) },
      { key: "transfers_30d", label: "tx 30 d", num: true, render: (r) => fmtNum(r.transfers_30d) },
      { key: "listed_all", label: "from listed, all", num: true, render: (r) => fmtNum(r.listed_all) },
      { key: "share_all", label: "share all", num: true, render: (r) => pct(r.share_all) },
      { key: "transfers_all", label: "tx all", num: true, render: (r) => fmtNum(r.transfers_all) },
    ],
    rows,
    { name: "risk-exposure" },
  );

const frozen = (rows) =>
  table(
    [
      { key: "wallet", label: "wallet", render: (r) => walletShort(r.wallet, r.label ?? null) },
      { key: "address", label: "frozen address", render: (r) => addrLink(r.address, `${r.address.slice(0, 10)}…`) },
      { key: "frozen_at", label: "frozen (UTC)", render: (r) => fmtTime(r.frozen_at) },
      {
        key: "freeze_tx",
        label: "freeze",
        render: (r) => (r.freeze_tx ? txLink(r.freeze_tx) : t("before the blocks followed")),
      },
      {
        key: "destroyed_usdt",
        label: "destroyed",
        num: true,
        render: (r) => (r.destroyed_usdt ? fmtNum(r.destroyed_usdt) : "—"),
      },
      { key: "usdt_in", label: "USDT from it", num: true, render: (r) => fmtNum(r.usdt_in) },
      { key: "usdt_out", label: "USDT sent to it", num: true, render: (r) => fmtNum(r.usdt_out) },
    ],
    rows,
    { name: "risk-frozen" },
  );

const lists = (rows) =>
  table(
    [
      { key: "name", label: "list" },
      { key: "kind", label: "kind", render: (r) => badge(r.kind) },
      { key: "version", label: "version", num: true },
      { key: "entries", label: "entries", num: true, render: (r) => fmtNum(r.entries) },
      { key: "retrieved_at", label: "retrieved (UTC)", render: (r) => fmtTime(r.retrieved_at) },
      { key: "screened", label: "history screened", render: (r) => (r.screened ? t("yes") : t("pending")) },
      { key: "source", label: "source", wrap: true },
    ],
    rows,
    { name: "risk-lists" },
  );
