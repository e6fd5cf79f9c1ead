// Records in TronScan's real shapes (field names, types, quirks) for the three list endpoints.
import { hexOfAddress } from "./random.ts";
import { TOKENS, type Move, type Tx, type TokenDef } from "./chain.ts";

/** A JSON number literal that may exceed 2^53: serialised as raw digits (see toJson). */
export class BigNum {
  constructor(readonly v: bigint) {}
}

export function toJson(value: unknown): string {
  const marks: string[] = [];
  const text = JSON.stringify(value, (_k, v) => {
    if (v instanceof BigNum) {
      marks.push(v.v.toString());
      return `@@BIGNUM${marks.length - 1}@@`;
    }
    return typeof v === "bigint" ? v.toString() : v;
  });
  return marks.length ? text.replace(/"@@BIGNUM(\d+)@@"/g, (_m, i) => marks[Number(i)]) : text;
}

const word = (hex: string) => hex.padStart(64, "0");
const addrWord = (address: string, style: 0 | 1) =>
  style ? "0000000000000000000000" + hexOfAddress(address) : word(hexOfAddress(address).slice(2));

export function tokenInfo(t: TokenDef) {
  return {
    tokenId: t.id,
    tokenAbbr: t.abbr,
    tokenName: t.name,
    tokenDecimal: t.decimals,
    tokenCanShow: t.level === "4" ? 3 : 1,
    tokenType: t.kind === "trx" ? "trc10" : t.kind,
    tokenLogo: "https://static.tronscan.org/production/logo/default.png",
    tokenLevel: t.level,
    ...(t.kind === "trc20" ? { issuerAddr: "THPvaUhoh2Qn2y9THCZML3H815hhFhn5YC" } : {}),
    vip: t.level === "2",
  };
}

export function callData(tx: Tx): {
  data: string;
  method: string;
  parameter: Record<string, string>;
  methodId: string;
  methodName: string;
} {
  if (tx.approvalFor) {
    return {
      data: "095ea7b3" + addrWord(tx.approvalFor, 0) + word((tx.approvalValue ?? 0xffffffffn).toString(16)),
      method: "approve(address _spender,uint256 _value)",
      parameter: {},
      methodId: "095ea7b3",
      methodName: "approve",
    };
  }
  if (tx.call?.method === "transfer" && tx.call.token && tx.call.to && tx.call.raw !== undefined) {
    const [kTo, kVal] = tx.call.token.paramKeys ?? ["_to", "_value"];
    const style = (parseInt(tx.hash.slice(0, 2), 16) % 2) as 0 | 1; // both 00- and 41-prefixed address words occur
    return {
      data: "a9059cbb" + addrWord(tx.call.to, style) + word(tx.call.raw.toString(16)),
      method: `transfer(address ${kTo},uint256 ${kVal})`,
      parameter: tx.call.paramKeys ? { [kVal]: tx.call.raw.toString(), [kTo]: tx.call.to } : {},
      methodId: "a9059cbb",
      methodName: "transfer",
    };
  }
  if (tx.call?.method === "withdraw")
    return {
      data: "2e1a7d4d" + word("1"),
      method: "withdraw(uint256)",
      parameter: {},
      methodId: "2e1a7d4d",
      methodName: "withdraw",
    };
  if (tx.call?.method === "multisend")
    return {
      data: "aad3ec96" + word("1"),
      method: "multisend(address[],uint256[])",
      parameter: {},
      methodId: "aad3ec96",
      methodName: "multisend",
    };
  return {
    data: "38ed1739" + word("1"),
    method: "swapExactTokensForTokens(uint256,uint256,address[],address,uint256)",
    parameter: {},
    methodId: "38ed1739",
    methodName: "swapExactTokensForTokens",
  };
}

export function transactionRecord(tx: Tx, confirmed: boolean) {
  const trx = tokenInfo(TOKENS.trx);
  const move = tx.moves[0];
  let contractData: Record<string, unknown>;
  let amount = "0";
  let info: object = trx;
  let trigger: object | undefined;
  if (tx.contractType === 1 || tx.contractType === 2) {
    contractData = {
      amount: new BigNum(move.raw),
      ...(tx.contractType === 2 ? { asset_name: move.token.id } : {}),
      owner_address: tx.owner,
      to_address: tx.toAddress,
    };
    amount = move.raw.toString();
    if (tx.contractType === 2) info = tokenInfo(move.token);
  } else if (tx.contractType === 31) {
    const c = callData(tx);
    const callValue = tx.moves.find((m) => m.via === "call_value")?.raw ?? 0n;
    contractData = {
      data: c.data,
      owner_address: tx.owner,
      contract_address: tx.toAddress,
      ...(callValue ? { call_value: new BigNum(callValue) } : {}),
    };
    trigger = {
      method: c.method,
      data: c.data,
      parameter: c.parameter,
      methodId: c.methodId,
      methodName: c.methodName,
      contract_address: tx.toAddress,
      call_value: new BigNum(callValue),
    };
  } else if (tx.contractType === 46 && tx.permissions) {
    const p = tx.permissions;
    const perm = (x: typeof p.owner, name: string) => ({ ...x, permission_name: name });
    contractData = {
      owner_address: tx.owner,
      owner: perm(p.owner, "owner"),
      actives: p.actives.map((a) => ({
        ...perm(a, "active"),
        operations: "7fff1fc0033e0000000000000000000000000000000000000000000000000000",
      })),
    };
  } else {
    contractData = {
      balance: new BigNum(tx.stake!.balance),
      resource: "ENERGY",
      receiver_address: tx.stake!.receiver,
      owner_address: tx.owner,
    };
  }
  const failed = tx.ret !== "SUCCESS";
  return {
    block: tx.block,
    hash: tx.hash,
    timestamp: tx.ts,
    ownerAddress: tx.owner,
    toAddressList: tx.toAddress ? [tx.toAddress] : [],
    toAddress: tx.toAddress,
    contractType: tx.contractType,
    confirmed,
    revert: false,
    contractData,
    SmartCalls: "",
    Events: "",
    id: "",
    data: "",
    fee: "",
    contractRet: tx.ret,
    result: failed ? "FAIL" : "SUCCESS",
    amount,
    cheatStatus: false,
    noteLevel: tx.risk ? 3 : 2,
    cost: {
      net_fee: 0,
      energy_usage: 0,
      fee: new BigNum(tx.feeSun),
      energy_fee: new BigNum(tx.feeSun),
      energy_usage_total: 0,
      origin_energy_usage: 0,
      net_usage: 345,
      date_created: Math.floor(tx.ts / 1000),
    },
    tokenInfo: info,
    tokenType: "trc10",
    ...(trigger ? { trigger_info: trigger } : {}),
    riskTransaction: tx.risk,
  };
}

export function transferRecord(tx: Tx, move: Move, confirmed: boolean, tags: Record<string, string>) {
  return {
    id: "",
    block: tx.block,
    transactionHash: tx.hash,
    timestamp: tx.ts,
    transferFromAddress: move.from,
    ...(tags[move.from] ? { transferFromTag: tags[move.from] } : {}),
    transferToAddress: move.to,
    ...(tags[move.to] ? { transferToTag: tags[move.to] } : {}),
    amount: new BigNum(move.raw),
    tokenName: move.token.id,
    confirmed,
    data: "",
    contractRet: tx.ret,
    revert: false,
    cheatStatus: false,
    tokenInfo: tokenInfo(move?.token ?? TOKENS.trx),
    riskTransaction: tx.risk || Boolean(move.token.risk),
  };
}

export function trc20Record(tx: Tx, move: Move | null, confirmed: boolean, tags: Record<string, string>) {
  const token: TokenDef = move?.token ?? TOKENS.usdt;
  const c = callData(tx);
  const from = move?.from ?? tx.owner;
  const to = move?.to ?? tx.approvalFor!;
  return {
    transaction_id: tx.hash,
    status: 0,
    block_ts: tx.ts,
    from_address: from,
    from_address_tag: { from_address_tag: tags[from] ?? "", from_address_tag_logo: "" },
    to_address: to,
    to_address_tag: { to_address_tag_logo: "", to_address_tag: tags[to] ?? "" },
    block: tx.block,
    contract_address: token.id,
    trigger_info: {
      method: c.method,
      data: c.data,
      parameter: c.parameter,
      methodName: c.methodName,
      contract_address: tx.toAddress,
      call_value: 0,
    },
    quant: move ? move.raw.toString() : "0",
    approval_amount: move ? "0" : "4294967295",
    event_type: move ? "Transfer" : "Approval",
    confirmed,
    contractRet: tx.ret,
    finalResult: tx.ret,
    tokenInfo: tokenInfo(token),
    revert: false,
    contract_type: "trc20",
    fromAddressIsContract: false,
    toAddressIsContract: false,
    riskTransaction: tx.risk || Boolean(token.risk),
  };
}

/** An /api/internal-transaction row (shape as a public client's tests use it; TRONSCAN-API.md §3.6). */
export function internalRecord(
  tx: Tx,
  entry: { hash: string; from: string; to: string; raw: bigint; token: TokenDef },
  confirmed: boolean,
) {
  const rejected = tx.ret !== "SUCCESS";
  return {
    hash: tx.hash,
    internal_hash: entry.hash,
    block: tx.block,
    timestamp: tx.ts,
    from: entry.from,
    to: entry.to,
    call_value: new BigNum(entry.raw),
    token_id: entry.token.id,
    note: "63616c6c",
    confirmed,
    rejected,
    result: rejected ? "REVERT" : "SUCCESS",
    revert: rejected,
    tokenInfo: tokenInfo(entry.token),
  };
}

/** /api/transaction-info for a known transaction: its result and the Transfers it emitted. */
export function transactionInfo(tx: Tx, confirmed: boolean) {
  const events = tx.moves.filter((m) => m.via === "event");
  return {
    block: tx.block,
    hash: tx.hash,
    timestamp: tx.ts,
    ownerAddress: tx.owner,
    toAddress: tx.toAddress,
    contractType: tx.contractType,
    confirmed,
    confirmations: confirmed ? 25 : 3,
    revert: false,
    contractRet: tx.ret,
    riskTransaction: tx.risk,
    cost: { fee: new BigNum(tx.feeSun) },
    trc20TransferInfo: events.map((m) => ({
      icon_url: "",
      symbol: m.token.abbr,
      level: m.token.level,
      to_address: m.to,
      contract_address: m.token.id,
      type: "Transfer",
      decimals: m.token.decimals,
      name: m.token.name,
      vip: m.token.level === "2",
      tokenType: "trc20",
      from_address: m.from,
      amount_str: m.raw.toString(),
      status: 0,
    })),
  };
}
