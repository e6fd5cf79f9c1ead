// Looking things up: search (an address, a label or a transaction hash leads to its page), one transaction's every
// movement as stored (from either source, with the stream each came in), and an address that is not watched — its
// dealings with the watched wallets and the lists that name it. TronScan is a secondary link on each.
import {
  addrLink,
  api,
  badge,
  card,
  el,
  fmtNum,
  fmtTime,
  navigate,
  t,
  table,
  tokenLabel,
  tronscanLink,
  txLink,
  walletShort,
} from "../ui.js";

export async function searchPage() {
  const q = new URLSearchParams(location.search).get("q") ?? "";
  const r = q.trim() ? await api(`/api/search?q=${encodeURIComponent(q)}`) : { kind: "none", target: "" };
  const to = { wallet: "/wallet/", transaction: "/tx/", address: "/address/" }[r.kind];
  if (to) {
    navigate(`${to}${encodeURIComponent(r.target)}`, true);
    return [el("p", { class: "muted" }, "…")];
  }
  return [
    el("h1", {}, t("Search")),
    el(
      "p",
      { "data-search": "none" },
      q.trim()
        ? t("Nothing stored matches {q}.", { q: JSON.stringify(q) })
        : t("Type an address, a label or a transaction hash."),
    ),
    el(
      "p",
      { class: "muted" },
      t("A transaction is found once it touches a watched wallet; an address, once it dealt with one."),
    ),
  ];
}

const side = (address, label) => (label ? walletShort(address, label) : addrLink(address, `${address.slice(0, 10)}…`));

export async function transaction(hash) {
  const r = await api(`/api/tx/${encodeURIComponent(hash)}`);
  const x = r.transaction;
  const facts = x
    ? el(
        "dl",
        { class: "facts" },
        ...[
          ["time (UTC)", fmtTime(x.time)],
          ["block", fmtNum(x.block)],
          ["status", badge(x.status)],
          ["confirmed", x.confirmed ? t("yes") : t("no")],
          ["contract", x.contract_type_name ?? "—"],
          ["from", x.owner_address ? side(x.owner_address, null) : "—"],
          ["to", x.to_address ? side(x.to_address, null) : "—"],
          ["fee (TRX)", x.fee_trx === null ? "—" : fmtNum(x.fee_trx)],
        ].flatMap(([k, v]) => [el("dt", {}, t(k)), el("dd", {}, v)]),
      )
    : el("p", { class: "muted" }, t("Known only through its transfers (the full record was not fetched)."));
  return [
    el(
      "h1",
      {},
      t("Transaction"),
      " ",
      el("span", { class: "addr" }, r.hash),
      " ",
      tronscanLink("transaction", r.hash),
    ),
    card(null, facts),
    el("h2", {}, t("Every movement of this transaction")),
    card(
      null,
      table(
        [
          { key: "from", label: "from", render: (m) => side(m.from_address, m.from_label) },
          { key: "to", label: "to", render: (m) => side(m.to_address, m.to_label) },
          { key: "token", label: "token", render: (m) => tokenLabel(m.token_symbol, m.token_id, m.imitates) },
          { key: "amount", label: "amount", num: true, render: (m) => fmtNum(m.amount ?? m.amount_raw) },
          { key: "status", label: "status", render: (m) => badge(m.status) },
          { key: "confirmed", label: "confirmed", render: (m) => (m.confirmed ? t("yes") : t("no")) },
          { key: "source", label: "stream", render: (m) => t(m.source) },
        ],
        r.movements,
        { name: "tx-movements" },
      ),
    ),
    el("h2", {}, t("Findings about it")),
    card(
      null,
      table(
        [
          { key: "anomaly_type", label: "type", render: (f) => badge(f.anomaly_type) },
          { key: "severity", label: "severity", render: (f) => badge(f.severity) },
          { key: "wallet", label: "wallet", render: (f) => walletShort(f.wallet, null) },
          { key: "reason", label: "reason", wrap: true },
        ],
        r.findings,
        { name: "tx-findings" },
      ),
    ),
  ];
}

export async function address(a) {
  const r = await api(`/api/address/${encodeURIComponent(a)}`);
  return [
    el("h1", {}, t("Address"), " ", el("span", { class: "addr" }, r.address), " ", tronscanLink("address", r.address)),
    r.listed.length
      ? el(
          "p",
          { class: "banner critical", role: "alert" },
          t("Listed: {lists}", { lists: r.listed.map((l) => `${l.list_name} (${l.category})`).join(", ") }),
        )
      : el("p", { class: "muted" }, t("On none of the stored risk lists.")),
    el("h2", {}, t("Its movements with the watched wallets (newest 200)")),
    card(
      null,
      table(
        [
          { key: "time", label: "time (UTC)", render: (m) => fmtTime(m.time) },
          { key: "wallet", label: "wallet", render: (m) => walletShort(m.wallet, null) },
          { key: "direction", label: "dir", render: (m) => t(m.direction) },
          { key: "transaction_id", label: "transaction", render: (m) => txLink(m.transaction_id) },
          { key: "token", label: "token", render: (m) => tokenLabel(m.token_symbol, m.token_id, m.imitates) },
          { key: "amount", label: "amount", num: true, render: (m) => fmtNum(m.amount) },
          { key: "status", label: "status", render: (m) => badge(m.status) },
        ],
        r.movements,
        { name: "address-movements" },
      ),
    ),
  ];
}
