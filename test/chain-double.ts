// A small, programmable java-tron node double for the follower's hostile cases: a synthetic chain of blocks (ids and
// parents chained, a block every 3 s ending near the real clock), USDT Transfer events to a watched wallet, and hooks
// that replace any answer (a bogus head, a huge body, a redirect, a fork).
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { addressToHex } from "../src/model/address.ts";
import { closeAfterEach } from "./helpers.ts";

export const WATCHED = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
export const PAYER = "TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa";
export const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
export const TRANSFER_TOPIC = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

const hex = (s: string) => createHash("sha256").update(s).digest("hex");
const word = (address: string) => addressToHex(address).slice(2).toLowerCase().padStart(64, "0");

export type Tx = Record<string, unknown> & { txID: string };
export type Block = {
  blockID: string;
  block_header: { raw_data: { number: number; parentHash: string; timestamp: number } };
  transactions: Tx[];
};

/** A USDT transfer call by PAYER, with its info: a Transfer event of `amount` raw units to `to`. */
export function usdtPayment(tag: string, to: string, amount: bigint | string, log: Record<string, unknown> = {}) {
  const txID = hex(`tx|${tag}`);
  const tx: Tx = {
    txID,
    ret: [{ contractRet: "SUCCESS" }],
    raw_data: {
      contract: [
        {
          type: "TriggerSmartContract",
          parameter: {
            value: {
              owner_address: addressToHex(PAYER).toLowerCase(),
              contract_address: addressToHex(USDT).toLowerCase(),
              data: `a9059cbb${word(to)}${(typeof amount === "bigint" ? amount : 1n).toString(16).padStart(64, "0")}`,
            },
          },
        },
      ],
    },
  };
  const info = {
    id: txID,
    fee: 345000,
    receipt: { result: "SUCCESS" },
    log: [
      {
        address: addressToHex(USDT).slice(2).toLowerCase(),
        topics: [TRANSFER_TOPIC, word(PAYER), word(to)],
        data: typeof amount === "bigint" ? amount.toString(16).padStart(64, "0") : amount,
        ...log,
      },
    ],
  };
  return { tx, info };
}

export type ChainSpec = { first: number; count: number; endMs?: number; fork?: string };

/** Blocks first..first+count-1, the last dated `endMs` (default: the last whole slot 60 s ago). */
export function chain(spec: ChainSpec, txsOf: (n: number) => { tx: Tx; info: unknown }[] = () => []) {
  const end = spec.endMs ?? Math.floor((Date.now() - 60_000) / 3000) * 3000;
  const blocks: Block[] = [];
  const infos = new Map<number, unknown[]>();
  let parent = hex(`parent of ${spec.first}`);
  for (let i = 0; i < spec.count; i++) {
    const n = spec.first + i;
    const txs = txsOf(n);
    const id = hex(`block|${n}|${spec.fork ?? ""}`);
    blocks.push({
      blockID: id,
      block_header: { raw_data: { number: n, parentHash: parent, timestamp: end - (spec.count - 1 - i) * 3000 } },
      transactions: txs.map((t) => t.tx),
    });
    infos.set(
      n,
      txs.map((t) => t.info),
    );
    parent = id;
  }
  return { blocks, infos };
}

export type Hook = (
  path: string,
  body: Record<string, number>,
  n: number,
) => { status?: number; body?: string; headers?: Record<string, string> } | null;

/** Serves `state.blocks` (the last one the solidified head); `state.hook` may answer instead. */
export async function nodeDouble(state: { blocks: Block[]; infos: Map<number, unknown[]>; hook?: Hook }) {
  const paths: string[] = [];
  const headers: IncomingMessage["headers"][] = [];
  const answer = (path: string, q: Record<string, number>): unknown => {
    const top = state.blocks[state.blocks.length - 1];
    if (path.endsWith("getnowblock")) return top;
    if (path === "/wallet/getblockbylimitnext")
      return {
        block: state.blocks.filter(
          (b) => b.block_header.raw_data.number >= q.startNum && b.block_header.raw_data.number < q.endNum,
        ),
      };
    if (path === "/wallet/gettransactioninfobyblocknum") return state.infos.get(q.num) ?? [];
    return null;
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let data = "";
    req.on("data", (c) => {
      data += c;
    });
    req.on("end", () => {
      const path = req.url ?? "";
      paths.push(path);
      headers.push(req.headers);
      const q = data ? (JSON.parse(data) as Record<string, number>) : {};
      const hooked = state.hook?.(path, q, paths.length);
      if (hooked) {
        res.writeHead(hooked.status ?? 200, { "content-type": "application/json", ...(hooked.headers ?? {}) });
        res.end(hooked.body ?? "{}");
        return;
      }
      const a = answer(path, q);
      res.writeHead(a === null ? 404 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify(a ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return closeAfterEach({ url, paths, headers, close: () => new Promise<void>((r) => server.close(() => r())) });
}
