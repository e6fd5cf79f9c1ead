// The node side of the emulator: the same history rendered as java-tron's HTTP API (hex addresses, as a node
// answers by default): a block every 3 s, each block's parent the block before, transaction infos with Transfer
// events and internal transactions. The solidified head trails the head by 19 blocks (~57 s), as on mainnet.
import { createHash } from "node:crypto";
import { addressToHex } from "../model/address.ts";
import { APPROVAL_TOPIC, TRANSFER_TOPIC } from "../normalize/block.ts";
import { BLACKLIST_TOPICS } from "../normalize/blacklist.ts";
import { CONTRACT_TYPE_NAMES } from "../model/tokens.ts";
import { blockOf, blockTimeMs, TOKENS, type Tx } from "./chain.ts";
import { callData } from "./render.ts";

export const SOLIDIFY_BLOCKS = 19;

export const nodeBlockId = (n: number) =>
  n.toString(16).padStart(16, "0") + createHash("sha256").update(`block|${n}`).digest("hex").slice(16);

const hex = (address: string) => addressToHex(address);
const topic = (address: string) => hex(address).slice(2).padStart(64, "0");
const ascii = (s: string) => Buffer.from(s, "latin1").toString("hex");

function contractOf(tx: Tx): Record<string, unknown> {
  const type = CONTRACT_TYPE_NAMES[tx.contractType] ?? `ContractType${tx.contractType}`;
  const move = tx.moves[0];
  let value: Record<string, unknown>;
  if (tx.contractType === 1 || tx.contractType === 2)
    value = {
      amount: Number(move.raw),
      ...(tx.contractType === 2 ? { asset_name: ascii(move.token.id) } : {}),
      owner_address: hex(tx.owner),
      to_address: hex(tx.toAddress),
    };
  else if (tx.contractType === 31) {
    const callValue = tx.moves.find((m) => m.via === "call_value")?.raw ?? 0n;
    value = {
      data: callData(tx).data,
      owner_address: hex(tx.owner),
      contract_address: hex(tx.toAddress),
      ...(callValue ? { call_value: Number(callValue) } : {}),
    };
  } else if (tx.contractType === 46 && tx.permissions) {
    const perm = (x: NonNullable<Tx["permissions"]>["owner"], name: string) => ({
      permission_name: name,
      threshold: x.threshold,
      keys: x.keys.map((k) => ({ address: hex(k.address), weight: k.weight })),
    });
    value = {
      owner_address: hex(tx.owner),
      owner: perm(tx.permissions.owner, "owner"),
      actives: tx.permissions.actives.map((a) => ({ type: "Active", ...perm(a, "active") })),
    };
  } else
    value = {
      owner_address: hex(tx.owner),
      frozen_balance: Number(tx.stake?.balance ?? 0n),
      resource: "ENERGY",
    };
  return { parameter: { value, type_url: `type.googleapis.com/protocol.${type}` }, type };
}

function nodeTransaction(tx: Tx) {
  return {
    ret: [{ contractRet: tx.ret }],
    signature: [createHash("sha256").update(`sig|${tx.hash}`).digest("hex")],
    txID: tx.hash,
    raw_data: { contract: [contractOf(tx)], timestamp: tx.ts - 1000 },
  };
}

/** Block `n` holding `txs` (those of its 3-second slot). An empty block has no `transactions` key. */
export function nodeBlock(n: number, txs: Tx[], id = nodeBlockId(n), parentId = nodeBlockId(n - 1)) {
  return {
    blockID: id,
    block_header: {
      raw_data: {
        number: n,
        txTrieRoot: "0".repeat(64),
        witness_address:
          "41" +
          createHash("sha256")
            .update(`witness|${n % 27}`)
            .digest("hex")
            .slice(0, 40),
        parentHash: parentId,
        version: 30,
        timestamp: blockTimeMs(n),
      },
      witness_signature: "",
    },
    ...(txs.length ? { transactions: txs.map(nodeTransaction) } : {}),
  };
}

/** The transaction infos of block `n`: receipts, Transfer events, internal transactions. */
export function nodeInfos(n: number, txs: Tx[]) {
  return txs.map((tx) => {
    const failed = tx.ret !== "SUCCESS";
    const events = tx.moves.filter((m) => m.via === "event");
    const internal = [
      ...tx.moves
        .filter((m) => m.via === "internal")
        .map((m) => ({
          hash: m.internalHash,
          caller_address: hex(m.from),
          transferTo_address: hex(m.to),
          callValueInfo: [
            m.token.kind === "trx" ? { callValue: Number(m.raw) } : { callValue: Number(m.raw), tokenId: m.token.id },
          ],
          note: "63616c6c",
          ...(failed ? { rejected: true } : {}),
        })),
      ...(tx.internalCalls ?? []).map((c) => ({
        hash: c.hash,
        caller_address: hex(c.from),
        transferTo_address: hex(c.to),
        callValueInfo: [{}],
        note: "63616c6c",
      })),
    ];
    return {
      id: tx.hash,
      fee: Number(tx.feeSun),
      blockNumber: n,
      blockTimeStamp: blockTimeMs(n),
      contractResult: [""],
      ...(tx.contractType === 31 ? { contract_address: hex(tx.toAddress) } : {}),
      receipt: { net_fee: Number(tx.feeSun), result: tx.ret },
      ...(failed ? { result: "FAILED" } : {}),
      ...((events.length || tx.approvalFor || tx.blacklist) && !failed
        ? {
            log: [
              ...events.map((m) =>
                m.token.kind === "trc721"
                  ? {
                      address: hex(m.token.id).slice(2),
                      topics: [TRANSFER_TOPIC, topic(m.from), topic(m.to), m.raw.toString(16).padStart(64, "0")],
                      data: "",
                    }
                  : {
                      address: hex(m.token.id).slice(2),
                      topics: [TRANSFER_TOPIC, topic(m.from), topic(m.to)],
                      data: m.raw.toString(16).padStart(64, "0"),
                    },
              ),
              // approve(spender, 0xffffffff): the Approval event the TronScan endpoints list for its owner
              ...(tx.approvalFor
                ? [
                    {
                      address: hex(tx.toAddress).slice(2),
                      topics: [APPROVAL_TOPIC, topic(tx.owner), topic(tx.approvalFor)],
                      data: (tx.approvalValue ?? 0xffffffffn).toString(16).padStart(64, "0"),
                    },
                  ]
                : []),
              ...(tx.blacklist ?? []).map((b) => blacklistLog(b)),
            ],
          }
        : {}),
      ...(internal.length ? { internal_transactions: internal } : {}),
    };
  });
}

/**
 * A blacklist log of the USDT contract. Both ABI readings occur, as in public copies: a freeze with the address
 * indexed (topics[1]), an unfreeze and a destruction with it in the data.
 */
function blacklistLog(b: NonNullable<Tx["blacklist"]>[number]) {
  const address = hex(TOKENS.usdt.id).slice(2);
  if (b.kind === "added") return { address, topics: [BLACKLIST_TOPICS.added, topic(b.user)], data: "" };
  const amount = b.kind === "destroyed" ? (b.raw ?? 0n).toString(16).padStart(64, "0") : "";
  return { address, topics: [BLACKLIST_TOPICS[b.kind]], data: topic(b.user) + amount };
}

/** The transactions of each block, for the node endpoints. */
export class BlockIndex {
  private byBlock = new Map<number, Tx[]>();
  add(tx: Tx): void {
    const n = blockOf(tx.ts);
    const list = this.byBlock.get(n);
    if (list) list.push(tx);
    else this.byBlock.set(n, [tx]);
  }
  txs(n: number): Tx[] {
    return this.byBlock.get(n) ?? [];
  }
}

// A reorg of the unsolidified tip: a block picked by `rate` is first seen in another version (an orphan) while it is
// among the newest REORG_DEPTH blocks, then replaced by the canonical one. The orphan lacks the block's last
// transaction (it arrives with the canonical block) and holds a phantom: a copy of its first transaction under
// another hash, which no canonical block ever holds (its rows must end dropped).
export const REORG_DEPTH = 2;

const unit = (s: string) => createHash("sha256").update(s).digest().readUInt32BE(0) / 2 ** 32;

export const orphaned = (n: number, rate: number, seed: number) => rate > 0 && unit(`orphan|${seed}|${n}`) < rate;

export const orphanBlockId = (n: number) =>
  n.toString(16).padStart(16, "0") + createHash("sha256").update(`orphan|${n}`).digest("hex").slice(16);

const rehash = (h: string) => createHash("sha256").update(`phantom|${h}`).digest("hex");

/** The phantom of `tx`: the same movements under another hash. */
export function phantomOf(tx: Tx): Tx {
  return {
    ...tx,
    hash: rehash(tx.hash),
    moves: tx.moves.map((m) => (m.internalHash ? { ...m, internalHash: rehash(m.internalHash) } : m)),
    internalCalls: tx.internalCalls?.map((c) => ({ ...c, hash: rehash(c.hash) })),
  };
}

export const orphanTxs = (txs: Tx[]): Tx[] => (txs.length ? [...txs.slice(0, -1), phantomOf(txs[0])] : []);

/** ABI words of a constant call's answer: a uint256, or a dynamic string (offset, length, bytes). */
const abiUint = (v: number | bigint) => BigInt(v).toString(16).padStart(64, "0");
function abiText(text: string): string {
  const bytes = Buffer.from(text, "utf8").toString("hex");
  return abiUint(32) + abiUint(bytes.length / 2) + bytes.padEnd(Math.ceil(bytes.length / 64) * 64 || 64, "0");
}

/**
 * /wallet/triggerconstantcontract for the history's TRC20 tokens: name(), symbol(), decimals() as java-tron answers
 * them (`constant_result` hex words); an unknown contract or method reverts (REVERT, empty result), as it would.
 */
export function constantCall(q: Record<string, unknown>): unknown {
  const token = Object.values(TOKENS).find(
    (t) => (t.kind === "trc20" || t.kind === "trc721") && t.id === q.contract_address,
  );
  const selector = String(q.function_selector ?? "");
  const text: Record<string, () => string | null> = {
    "decimals()": () => (token?.kind === "trc721" ? null : abiUint(token?.decimals ?? 0)), // an NFT has none
    "symbol()": () => abiText(token?.abbr ?? ""),
    "name()": () => abiText(token?.name ?? ""),
  };
  const word = token && text[selector] ? text[selector]() : null;
  if (word === null)
    return { result: { code: "CONTRACT_EXE_ERROR", message: "524556455254206f70636f6465" }, constant_result: [""] };
  return {
    result: { result: true },
    energy_used: 300,
    constant_result: [word],
    transaction: { ret: [{}], visible: true },
  };
}

/** /wallet/getassetissuebyid for the history's TRC10 tokens (name and abbr hex-encoded, as the node answers). */
export function assetIssue(q: Record<string, unknown>): unknown {
  const token = Object.values(TOKENS).find((t) => t.kind === "trc10" && t.id === String(q.value ?? ""));
  if (!token) return {};
  const hexOf = (v: string) => Buffer.from(v, "utf8").toString("hex");
  return {
    id: token.id,
    name: hexOf(token.name),
    abbr: hexOf(token.abbr),
    precision: token.decimals,
    owner_address: "41" + "00".repeat(20),
  };
}
