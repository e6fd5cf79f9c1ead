// A java-tron node double for the block bench, run as its own process (`tsx bench/chain.ts <first> <count>`; it
// prints its port): mainnet-shaped blocks made on demand and the same for every request — ~300 transactions a block
// in the shapes and sizes of recorded mainnet blocks (test/fixtures/trongrid/getnowblock_1.json: ~1 KB a
// transaction with signature and raw_data_hex): 45% TriggerSmartContract (USDT transfer calls with their Transfer
// event, router swaps paying out by event only, 2% failed), 35% TRX, 5% TRC10, 15% resource contracts. Addresses are
// drawn from 10 million; the first WATCHED_POOL of them are the ones a bench may watch, and each side of a transaction
// is one of those with probability WATCHED_SHARE. Every block is served (head = first + count - 1): the bench
// follows a day that is already there, as after an outage.
import { createHash } from "node:crypto";
import { createServer } from "node:http";

export const WATCHED_POOL = 100_000;
export const WATCHED_SHARE = 0.01;
const POPULATION = 10_000_000;
const USDT = "41a614f803b6fd780986a42c78ec9c7f77e6ded13c";
const ROUTER = "41e95812d8d5b5412d2b9f3a4d5a87ca15c5c51f33";
const POOL = "41b20bd0d2a4b1e0b8d4b6a1f1e8e2f0a9c3d5e7f1";
const TRANSFER_TOPIC = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
const GENESIS_MS = Date.UTC(2026, 0, 1);

/** The 20 bytes (40 hex digits) of address number k. */
export function addressHex(k: number): string {
  const a = Math.imul(k ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
  const b = Math.imul(k + 0x27d4eb2f, 0x85ebca6b) >>> 0;
  return `${a.toString(16).padStart(8, "0")}${k.toString(16).padStart(8, "0")}${b.toString(16).padStart(8, "0")}c0ffee00d15ea5e0`;
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
export const blockId = (n: number) => n.toString(16).padStart(16, "0") + sha(`chain|${n}`).slice(16);
export const blockTime = (n: number) => GENESIS_MS + n * 3000;
const word = (hex: string) => hex.padStart(64, "0");
const filler = (r: () => number, len: number) => {
  let s = "";
  while (s.length < len)
    s += Math.floor(r() * 2 ** 32)
      .toString(16)
      .padStart(8, "0");
  return s.slice(0, len);
};

type Made = { tx: string; info: string };

/** Transaction j of block n, and its info, as JSON text. */
function makeTx(n: number, j: number, r: () => number): Made {
  const pick = () =>
    r() < WATCHED_SHARE ? Math.floor(r() * WATCHED_POOL) : WATCHED_POOL + Math.floor(r() * (POPULATION - WATCHED_POOL));
  const from = addressHex(pick());
  const to = addressHex(pick());
  const id = `XXXXXXXX${sha(`tx|${n}|${j}`).slice(8)}`;
  const time = blockTime(n);
  const kind = r();
  let type: string;
  let value: string;
  let ret = "SUCCESS";
  let info = `{"id":"${id}","blockNumber":${n},"blockTimeStamp":${time},"contractResult":[""],"receipt":{"net_usage":268}}`;
  if (kind < 0.45) {
    const amount = BigInt(Math.floor(r() * 5e9));
    if (r() < 0.85) {
      type = "TriggerSmartContract";
      value = `{"data":"a9059cbb${word(`41${to}`.slice(2))}${word(amount.toString(16))}","owner_address":"41${from}","contract_address":"${USDT}"}`;
      ret = r() < 0.02 ? "REVERT" : "SUCCESS";
      const log =
        ret === "SUCCESS"
          ? `,"log":[{"address":"${USDT.slice(2)}","topics":["${TRANSFER_TOPIC}","${word(from)}","${word(to)}"],"data":"${word(amount.toString(16))}"}]`
          : "";
      info =
        `{"id":"${id}","fee":${ret === "SUCCESS" ? 13_844_850 : 27_600_900},"blockNumber":${n},"blockTimeStamp":${time},"contractResult":[""],"contract_address":"${USDT}","receipt":{"energy_fee":13_504_850,"energy_usage_total":64_285,"net_fee":345_000,"result":"${ret}"}${log}${ret === "SUCCESS" ? "" : ',"result":"FAILED"'}}`.replace(
          /_/g,
          "",
        );
    } else {
      // a swap through a router: the pool pays the recipient; only the events name the recipient
      type = "TriggerSmartContract";
      value = `{"data":"38ed1739${filler(r, 320)}","owner_address":"41${from}","contract_address":"${ROUTER}","call_value":${Math.floor(r() * 1e9)}}`;
      info = `{"id":"${id}","fee":20000000,"blockNumber":${n},"blockTimeStamp":${time},"contractResult":["${filler(r, 64)}"],"contract_address":"${ROUTER}","receipt":{"energy_usage_total":120000,"result":"SUCCESS"},"log":[{"address":"${USDT.slice(2)}","topics":["${TRANSFER_TOPIC}","${word(POOL.slice(2))}","${word(to)}"],"data":"${word(amount.toString(16))}"}],"internal_transactions":[{"hash":"XXXXXXXX${sha(`it|${id}`).slice(8)}","caller_address":"${ROUTER}","transferTo_address":"${POOL}","callValueInfo":[{}],"note":"63616c6c"}]}`;
    }
  } else if (kind < 0.8) {
    type = "TransferContract";
    value = `{"amount":${Math.floor(r() * 1e10)},"owner_address":"41${from}","to_address":"41${to}"}`;
  } else if (kind < 0.85) {
    type = "TransferAssetContract";
    value = `{"amount":${Math.floor(r() * 1e9)},"asset_name":"31303034393337","owner_address":"41${from}","to_address":"41${to}"}`;
  } else {
    type = "UnDelegateResourceContract";
    value = `{"balance":${Math.floor(r() * 1e12)},"resource":"ENERGY","receiver_address":"41${to}","owner_address":"41${from}"}`;
  }
  const tx = `{"ret":[{"contractRet":"${ret}"}],"signature":["${filler(r, 130)}"],"txID":"${id}","raw_data":{"contract":[{"parameter":{"value":${value},"type_url":"type.googleapis.com/protocol.${type}"},"type":"${type}"}],"ref_block_bytes":"${filler(r, 4)}","ref_block_hash":"${filler(r, 16)}","expiration":${time + 60_000},"fee_limit":100000000,"timestamp":${time - 1500}},"raw_data_hex":"${filler(r, 420)}"}`;
  return { tx, info };
}

/** The transactions of 64 template blocks, made once; block n takes template n % 64 under its own ids. */
const TEMPLATES = 64;
const templates: { txs: string; infos: string }[] = [];

/** Block n and its infos, as JSON text: template n % 64 with ids prefixed by n (unique across blocks). */
export function makeBlock(n: number): { block: string; infos: string } {
  const t = n % TEMPLATES;
  templates[t] ??= makeTemplate(t);
  const prefix = (n >>> 0).toString(16).padStart(8, "0");
  const r = rng(n);
  const header = `{"raw_data":{"number":${n},"txTrieRoot":"${filler(r, 64)}","witness_address":"41${addressHex(n % 27)}","parentHash":"${blockId(n - 1)}","version":31,"timestamp":${blockTime(n)}},"witness_signature":"${filler(r, 130)}"}`;
  // (the infos' blockNumber and the transactions' own times stay the template's: the follower reads the header's)
  const ids = (s: string) => s.replaceAll("XXXXXXXX", prefix);
  return {
    block: `{"blockID":"${blockId(n)}","block_header":${header},"transactions":[${ids(templates[t].txs)}]}`,
    infos: `[${ids(templates[t].infos)}]`,
  };
}

function makeTemplate(t: number): { txs: string; infos: string } {
  const n = t;
  const r = rng(t + 1);
  const count = 260 + Math.floor(r() * 80);
  const made: Made[] = [];
  for (let j = 0; j < count; j++) made.push(makeTx(n, j, r));
  return { txs: made.map((m) => m.tx).join(","), infos: made.map((m) => m.info).join(",") };
}

if (process.argv[1]?.endsWith("chain.ts")) {
  const first = Number(process.argv[2] ?? 1_000_000);
  const head = first + Number(process.argv[3] ?? 28_800) - 1;
  let requests = 0;
  // a range answer's blocks keep their infos for the requests that follow it
  const infos = new Map<number, string>();
  const made = (n: number) => {
    const b = makeBlock(n);
    infos.set(n, b.infos);
    if (infos.size > 400) infos.delete(infos.keys().next().value as number);
    return b;
  };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      requests++;
      const q = body ? (JSON.parse(body) as Record<string, number>) : {};
      const path = req.url ?? "";
      let out: string;
      if (path.endsWith("/getnowblock")) out = makeBlock(head).block;
      else if (path.endsWith("/getblockbylimitnext")) {
        const list: string[] = [];
        for (let n = q.startNum; n < Math.min(q.endNum, head + 1); n++) list.push(made(n).block);
        out = list.length ? `{"block":[${list.join(",")}]}` : "{}";
      } else if (path.endsWith("/gettransactioninfobyblocknum"))
        out = q.num > head ? "[]" : (infos.get(q.num) ?? made(q.num).infos);
      else if (path.endsWith("/getassetissuebyid"))
        // the one TRC10 token of the chain (asset 1004937), as a node describes it (name and abbr hex-encoded)
        out = `{"id":"1004937","name":"${Buffer.from("Bench Asset").toString("hex")}","abbr":"${Buffer.from("BNCH").toString("hex")}","precision":6}`;
      else if (path === "/__requests") out = JSON.stringify({ requests });
      else out = '{"Error":"unknown path"}';
      res.writeHead(200, { "content-type": "application/json" });
      res.end(out);
    });
  });
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(`${(server.address() as { port: number }).port}\n`);
  });
}
