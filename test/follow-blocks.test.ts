// The block follower against a small node double over HTTP serving recorded mainnet blocks: every block once, in
// order, parents checked; a range answer with a gap re-asked; a broken chain refused with nothing loaded; a
// watched wallet's USDT transfer loaded with the cursor; the requests independent of how many wallets are watched.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createNodeClient } from "../src/source/node/client.ts";
import { followBlocks } from "../src/pipeline/follow-blocks.ts";
import { ChainError } from "../src/internal/errors.ts";
import { closeAfterEach, memoryWarehouse, ROOT } from "./helpers.ts";
import { emptyBatch } from "../src/model/rows.ts";
import { stmt } from "./stmt.ts";

type Block = Record<string, unknown> & {
  block_header: { raw_data: { number?: number; parentHash: string; timestamp: number } };
};
const recorded = <T>(name: string) =>
  JSON.parse(readFileSync(join(ROOT, "test/fixtures/trongrid", `${name}.json`), "utf8")) as T;
const numberOf = (b: Block) => b.block_header.raw_data.number ?? 0;

/** A node double: the given blocks, the last one the solidified head; `drop` numbers left out of range answers. */
async function nodeDouble(
  blocks: Block[],
  infos: Record<number, unknown[]> | ((num: number) => unknown[]) = {},
  drop = new Set<number>(),
) {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      paths.push(req.url ?? "");
      const q = body ? (JSON.parse(body) as Record<string, number>) : {};
      const answer =
        req.url === "/walletsolidity/getnowblock"
          ? blocks[blocks.length - 1]
          : req.url === "/wallet/getblockbylimitnext"
            ? {
                block: blocks.filter(
                  (b) =>
                    numberOf(b) >= q.startNum &&
                    numberOf(b) < q.endNum &&
                    !(drop.has(numberOf(b)) && q.endNum - q.startNum > 1),
                ),
              }
            : req.url === "/wallet/gettransactioninfobyblocknum"
              ? typeof infos === "function"
                ? infos(q.num)
                : (infos[q.num] ?? [])
              : null;
      res.writeHead(answer === null ? 404 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return closeAfterEach({
    client: createNodeClient({ baseUrl: url, requestsPerSecond: 1000, maxRetries: 1, baseDelayMs: 1 }),
    paths,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}

const follow = (
  node: { client: ReturnType<typeof createNodeClient> },
  w: Awaited<ReturnType<typeof memoryWarehouse>>,
  watched: string[],
  startBlock: number,
) =>
  followBlocks({
    client: node.client,
    warehouse: w,
    watched: new Set(watched),
    startBlock,
    runId: "t",
    nowMs: () => 1,
  });

describe("block follower", () => {
  // Nile block 1000000 (getblock_1) and all 6 of its transaction infos (gettransactioninfobyblocknum_1)
  const nile = recorded<Block>("getblock_1");
  const nileInfos = recorded<{ id: string }[]>("gettransactioninfobyblocknum_1");

  it("transaction infos lacking a contract call's are asked again; still lacking after three answers, the block is refused", async () => {
    const cut = nileInfos.slice(0, 5); // the last call's info (ba8e727c…) left out
    let answers = 0;
    const flaky = await nodeDouble([nile], () => (++answers === 1 ? cut : nileInfos));
    const w = closeAfterEach(await memoryWarehouse());
    const r = await follow(flaky, w, ["TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF"], 1000000);
    expect(r.cursor?.number).toBe(1000000);
    expect(flaky.paths.filter((p) => p.endsWith("gettransactioninfobyblocknum"))).toHaveLength(2);

    const broken = await nodeDouble([nile], () => cut);
    const w2 = closeAfterEach(await memoryWarehouse());
    const e = await follow(broken, w2, ["TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF"], 1000000).catch((x) => x);
    expect(e).toBeInstanceOf(ChainError);
    expect(String(e.message)).toMatch(
      /block 1000000: the node's transaction infos lack 1 of its 6 contract calls \(ba8e727c[0-9a-f]+\) after 3 answers/,
    );
    expect(broken.paths.filter((p) => p.endsWith("gettransactioninfobyblocknum"))).toHaveLength(3);
    expect(await w2.getBlockCursor("node")).toBeNull();
  });

  // mainnet blocks 1..4 (getblockbylimitnext_1): each block's parentHash is the previous blockID
  const chain = recorded<{ block: Block[] }>("getblockbylimitnext_1").block;

  it("follows mainnet blocks 1-4 in one range: parents checked, cursor at block 4, two requests", async () => {
    const node = await nodeDouble(chain);
    const w = closeAfterEach(await memoryWarehouse());
    const r = await follow(node, w, ["TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF"], 1);
    expect(r.blocks).toBe(4);
    expect(r.lagBlocks).toBe(0);
    expect(await w.getBlockCursor("node")).toEqual({
      source: "node",
      number: 4,
      blockId: String(chain[3].blockID),
      timestampMs: chain[3].block_header.raw_data.timestamp,
    });
    expect(node.paths).toEqual(["/walletsolidity/getnowblock", "/wallet/getblockbylimitnext"]);
    // again: nothing new, one request
    expect((await follow(node, w, [], 1)).blocks).toBe(0);
  });

  it("a block no answer holds yet (a load-balanced node behind): the blocks before it are loaded, the rest next pass", async () => {
    const served = chain.filter((b) => numberOf(b) !== 3);
    const node = await nodeDouble(served);
    const w = closeAfterEach(await memoryWarehouse());
    const first = await follow(node, w, [], 1);
    expect([first.blocks, first.cursor?.number, first.lagBlocks]).toEqual([2, 2, 2]);
    served.splice(2, 0, chain[2]); // block 3 is served now
    const second = await follow(node, w, [], 1);
    expect([second.blocks, second.cursor?.number, second.lagBlocks]).toEqual([2, 4, 0]);
  });

  it("a short range answer (blocks 1-2 of 1-4) is continued as a range from block 3", async () => {
    const node = await nodeDouble(chain);
    const short = node.client.blocks;
    let calls = 0;
    node.client.blocks = async (a, b, signal) => {
      const all = await short(a, b, signal);
      return ++calls === 1 ? all.slice(0, 2) : all;
    };
    const w = closeAfterEach(await memoryWarehouse());
    expect((await follow(node, w, [], 1)).blocks).toBe(4);
    expect(node.paths.filter((p) => p === "/wallet/getblockbylimitnext")).toHaveLength(2);
    expect((await w.getBlockCursor("node"))?.number).toBe(4);
  });

  it("a range answer missing block 3 is completed by asking for block 3 alone", async () => {
    const node = await nodeDouble(chain, {}, new Set([3]));
    const w = closeAfterEach(await memoryWarehouse());
    expect((await follow(node, w, [], 1)).blocks).toBe(4);
    expect(node.paths.filter((p) => p === "/wallet/getblockbylimitnext")).toHaveLength(2);
    expect((await w.getBlockCursor("node"))?.number).toBe(4);
  });

  it("a block whose parent is not the block before is refused: nothing of the range loaded, the cursor unmoved", async () => {
    const broken = structuredClone(chain);
    broken[2].block_header.raw_data.parentHash = "00".repeat(32);
    const node = await nodeDouble(broken);
    const w = closeAfterEach(await memoryWarehouse());
    await expect(follow(node, w, [], 1)).rejects.toBeInstanceOf(ChainError);
    expect(await w.getBlockCursor("node")).toBeNull();
  });

  it("a watched wallet's USDT transfer is loaded with the cursor; 100,000 watched addresses cost the same requests", async () => {
    // block 60836289 with the info of its tx 661f1df8… (USDT 2,384.950100 to TW3NSuh…)
    const block = recorded<Block>("getblockbynum_1");
    const info = recorded<Record<string, unknown>>("gettransactioninfobyid_1");
    // the block's other 81 contract calls answered with event-less infos (only the one above was recorded)
    const calls = (block.transactions as { txID: string; raw_data: { contract: { type: string }[] } }[]).filter(
      (t) => t.raw_data.contract[0].type === "TriggerSmartContract" && t.txID !== info.id,
    );
    expect(calls).toHaveLength(81);
    const infos = [info, ...calls.map((t) => ({ id: t.txID, blockNumber: 60836289, receipt: { result: "SUCCESS" } }))];
    const requests: number[] = [];
    for (const extra of [0, 100_000]) {
      const node = await nodeDouble([block], { 60836289: infos });
      const w = closeAfterEach(await memoryWarehouse());
      // the cursor stands at the block before (its id is this block's parent)
      await w.load({
        batch: emptyBatch(),
        blockCursor: {
          source: "node",
          number: 60836288,
          blockId: block.block_header.raw_data.parentHash,
          timestampMs: 0,
        },
        runId: "seed",
      });
      const watched = ["TW3NSuhT68vXKdamU7Rkq6sfEVCFwoDfGb", ...Array.from({ length: extra }, (_, i) => `T${i}`)];
      const r = await follow(node, w, watched, 0);
      expect(r.blocks).toBe(1);
      const rows = await w.query<Record<string, string>>(
        stmt("SELECT transfer_id, amount, to_address, block FROM transfers"),
      );
      expect(rows).toEqual([
        {
          transfer_id: "b391ae9b193cda04fd7a766c6f6704379ab67ad3",
          amount: "2384.9501",
          to_address: "TW3NSuhT68vXKdamU7Rkq6sfEVCFwoDfGb",
          block: "60836289",
        },
      ]);
      requests.push(r.requests);
    }
    // the solidified head, then the block's infos: the head answer is the block itself (it follows the cursor), not asked again
    expect(requests).toEqual([2, 2]);
  });
});
