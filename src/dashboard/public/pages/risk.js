// Counterparty risk: who is on the other side. The lists and their versions, the screening's findings by list,
// exposure per wallet and token (share of inbound value from listed addresses), counterparties Tether froze.
import {
  api,
  addrLink,
  asOfParam,
  badge,
  card,
  el,
  fmtNum,
  fmtTime,
  kpi,
  table,
  timeBanner,
  txLink,
  walletLink,
} from "../ui.js";
import { anomalyTable } from "../lists.js";

export async function risk() {
  const r = await api(`/api/risk?${asOfParam()}`);
  const open = r.findings.byList.reduce((n, b) => n + b.open, 0);
  return [
    el("h1", {}, "Counterparty risk"),
    timeBanner(r),
    el(
      "div",
      { class: "kpis" },
      kpi("open risk findings", String(open)),
      kpi("wallets exposed", String(new Set(r.exposure.map((e) => e.wallet)).size)),
      kpi("frozen counterparties", String(new Set(r.frozen.map((f) => f.address)).size)),
      kpi("lists", String(r.lists.length)),
    ),
    el("h2", {}, "Findings by list"),
    card(null, byList(r.findings.byList)),
    el("h2", {}, "Exposure per wallet (inbound value directly from listed addresses)"),
    card(null, exposure(r.exposure)),
    el("h2", {}, "Counterparties frozen by Tether (USDT blacklist)"),
    card(null, frozen(r.frozen)),
    el("h2", {}, "Lists (latest version)"),
    card(null, lists(r.lists)),
    el("h2", {}, "Newest risk findings"),
    card(null, anomalyTable(r.findings.latest)),
  ];
}

const byList = (rows) =>
  table(
    [
      { key: "list", label: "list" },
      { key: "open", label: "open", num: true },
      { key: "resolved", label: "resolved", num: true },
      { key: "wallets", label: "wallets", num: true },
    ],
    rows,
    { name: "risk-by-list" },
  );

const pct = (v) => (v === null ? "—" : `${v} %`);
const exposure = (rows) =>
  table(
    [
      { key: "wallet", label: "wallet", render: (r) => walletLink(r.wallet) },
      { key: "token_symbol", label: "token", render: (r) => r.token_symbol ?? r.token_id },
      { key: "listed_30d", label: "from listed, 30 d", num: true, render: (r) => fmtNum(r.listed_30d) },
      { key: "share_30d", label: "share 30 d", num: true, render: (r) => pct(r.share_30d) },
      { key: "transfers_30d", label: "tx 30 d", num: true },
      { key: "listed_all", label: "from listed, all", num: true, render: (r) => fmtNum(r.listed_all) },
      { key: "share_all", label: "share all", num: true, render: (r) => pct(r.share_all) },
      { key: "transfers_all", label: "tx all", num: true },
    ],
    rows,
    { name: "risk-exposure" },
  );

const frozen = (rows) =>
  table(
    [
      { key: "wallet", label: "wallet", render: (r) => walletLink(r.wallet) },
      { key: "address", label: "frozen address", render: (r) => addrLink(r.address) },
      { key: "frozen_at", label: "frozen (UTC)", render: (r) => fmtTime(r.frozen_at) },
      {
        key: "freeze_tx",
        label: "freeze",
        render: (r) => (r.freeze_tx ? txLink(r.freeze_tx) : "before the blocks followed"),
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
      { key: "entries", label: "entries", num: true },
      { key: "retrieved_at", label: "retrieved (UTC)", render: (r) => fmtTime(r.retrieved_at) },
      { key: "screened", label: "history screened", render: (r) => (r.screened ? "yes" : "pending") },
      { key: "source", label: "source", wrap: true },
    ],
    rows,
    { name: "risk-lists" },
  );
