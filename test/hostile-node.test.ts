// The block follower where it joins the rest of the system, against a node double that misbehaves as a broken or
// hostile node would (issue 22's reproductions): coverage only from what was loaded, heads and block times that must
// make sense, total quarantine, TRC721, a way out of a fork, bounded and private I/O, status without dropped rows.
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { followBlocks } from "../src/pipeline/follow-blocks.ts";
import { needingBackfill } from "../src/warehouse/coverage.ts";
import { walletLags } from "../src/health/reads.ts";
import { ChainError, SourceHttpError, SourceUnavailableError } from "../src/internal/errors.ts";
import { createNodeClient } from "../src/source/node/client.ts";
import { createTronscanClient } from "../src/source/tronscan/client.ts";
import { normalizeRecords } from "../src/normalize/index.ts";
import { ENDPOINTS, emptyBatch } from "../src/model/rows.ts";
import { chain, nodeDouble, PAYER, TRANSFER_TOPIC, usdtPayment, USDT, WATCHED, type Block } from "./chain-double.ts";
import { closeAfterEach, fastNodeClient, memoryWarehouse, tempDir, tronmon } from "./helpers.ts";
import { addressToHex } from "../src/model/address.ts";
import { stmt } from "./stmt.ts";

const watched = new Set([WATCHED]);
const follow = (url: string, w: Awaited<ReturnType<typeof memoryWarehouse>>, startBlock: number | null, retries = 1) =>
  followBlocks({
    client: fastNodeClient(url, retries),
    warehouse: w,
    watched,
    startBlock,
    runId: "t",
    nowMs: Date.now,
  });
const coverage = (w: Awaited<ReturnType<typeof memoryWarehouse>>) =>
  w.query<{ wallet: string; from_block: string; from_ms: string }>(stmt("SELECT * FROM node_coverage"));
const synced = (toMs: number) =>
  ENDPOINTS.map((endpoint) => ({
    wallet: WATCHED,
    endpoint,
    syncedToMs: toMs,
    walkTopMs: null,
    walkLowMs: null,
    walkFloorMs: null,
    newestMs: toMs,
  }));

/** A config file for the CLI: the watched wallet, `node:` lines, a warehouse, output and log in `dir`. */
function writeConfig(dir: string, node: string[], more: string[] = []) {
  writeFileSync(
    join(dir, "tronmon.yaml"),
    [
      "wallets:",
      `  - address: ${WATCHED}`,
      "node:",
      ...node.map((l) => `  ${l}`),
      ...more,
      "warehouse:",
      `  path: ${join(dir, "t.duckdb")}`,
      "output:",
      `  dir: ${join(dir, "out")}`,
      "logging:",
      `  file: ${join(dir, "t.log")}`,
    ].join("\n"),
  );
}

describe("the follower meets the rest of the system", () => {
  it("a failed first follow records no coverage; the restart at a newer head is covered from there, TronScan backfilling up to it", async () => {
    const c = chain({ first: 70_000_000, count: 101 }, (n) =>
      n === 70_000_050 ? [usdtPayment("gap", WATCHED, 5n)] : [],
    );
    const state = {
      blocks: c.blocks.slice(0, 1),
      infos: c.infos,
      hook: ((p: string) => (p === "/wallet/getblockbylimitnext" ? { status: 500 } : null)) as never,
    };
    const node = await nodeDouble(state);
    const w = closeAfterEach(await memoryWarehouse());
    await expect(follow(node.url, w, null)).rejects.toBeInstanceOf(SourceUnavailableError);
    expect(await coverage(w)).toEqual([]); // before: from block 70000000, from the head's time
    // TronScan syncs the wallet up to the first head's time (what `tronmon run` did)
    await w.load({ batch: emptyBatch(), cursors: synced(c.blocks[0].block_header.raw_data.timestamp), runId: "t" });
    // the node recovers at 70000100: the follower starts there, and the wallet needs TronScan up to block 70000099
    state.blocks = c.blocks;
    state.hook = undefined as never;
    const r = await follow(node.url, w, null);
    expect(r.cursor?.number).toBe(70_000_100);
    const head = c.blocks[100].block_header.raw_data.timestamp;
    expect(await coverage(w)).toEqual([{ wallet: WATCHED, from_block: "70000100", from_ms: String(head - 1) }]);
    expect(await needingBackfill(w, [WATCHED])).toEqual([WATCHED]); // the payment in block 70000050 is TronScan's
  });

  it("a bogus head (block 10^15 dated 1970) is read three times and refused; nothing is recorded", async () => {
    const c = chain({ first: 500, count: 3 });
    const bogus = {
      ...c.blocks[2],
      block_header: { raw_data: { number: 1e15, parentHash: c.blocks[1].blockID, timestamp: 1 } },
    };
    const node = await nodeDouble({
      ...c,
      hook: (p) => (p.endsWith("getnowblock") ? { body: JSON.stringify(bogus) } : null),
    });
    const w = closeAfterEach(await memoryWarehouse());
    const e = await follow(node.url, w, null).catch((x) => x);
    expect(e).toBeInstanceOf(ChainError);
    expect(e.message).toMatch(
      /solidified head is not believable after 3 answers: block 1000000000000000 is dated 1970-01-01/,
    );
    expect(node.paths).toEqual(Array(3).fill("/walletsolidity/getnowblock"));
    expect(await coverage(w)).toEqual([]);
    expect(await w.getBlockCursor("node")).toBeNull();
  });

  it("a head further ahead of our cursor than the time allows, or dated in the future, is refused", async () => {
    const c = chain({ first: 1000, count: 10 });
    const node = await nodeDouble(c);
    const w = closeAfterEach(await memoryWarehouse());
    await follow(node.url, w, 1000); // cursor at 1009
    const last = c.blocks[9].block_header.raw_data;
    const ahead = {
      blockID: "ab".repeat(32),
      block_header: {
        raw_data: { number: 1009 + 1000, parentHash: "cd".repeat(32), timestamp: last.timestamp + 30_000 },
      },
    };
    const future = {
      blockID: "ab".repeat(32),
      block_header: {
        raw_data: { number: 1010, parentHash: c.blocks[9].blockID, timestamp: 1e15 },
      },
    };
    for (const [head, why] of [
      [ahead, /head 2009 is 1000 blocks after our block 1009, more than the 10 that 30 s can hold/],
      [future, /block 1010 is dated .*past the clock/],
    ] as const) {
      const bad = await nodeDouble({
        ...c,
        hook: (p) => (p.endsWith("getnowblock") ? { body: JSON.stringify(head) } : null),
      });
      await expect(follow(bad.url, w, null)).rejects.toThrow(why);
    }
    expect((await w.getBlockCursor("node"))?.number).toBe(1009);
  });

  it("a block dated in the future or before its parent is asked again and refused; a head time of 'abc' does not spin", async () => {
    const c = chain({ first: 2000, count: 3 });
    const late = structuredClone(c.blocks);
    late[1].block_header.raw_data.timestamp = 1e15;
    const node = await nodeDouble({ blocks: late, infos: c.infos });
    const w = closeAfterEach(await memoryWarehouse());
    await expect(follow(node.url, w, 2000)).rejects.toThrow(/block 2001 is dated .* past the clock \(asked twice\)/);
    expect(await w.getBlockCursor("node")).toBeNull(); // nothing of the range was loaded
    const abc = {
      ...c.blocks[2],
      block_header: { raw_data: { ...c.blocks[2].block_header.raw_data, timestamp: "abc" } },
    };
    const spin = await nodeDouble({
      ...c,
      hook: (p) => (p.endsWith("getnowblock") ? { body: JSON.stringify(abc) } : null),
    });
    await expect(follow(spin.url, w, null)).rejects.toBeInstanceOf(ChainError);
    expect(spin.paths).toHaveLength(3);
  });

  it("a cursor dated 2096 does not hide the lag once the node stops", async () => {
    const w = closeAfterEach(await memoryWarehouse());
    await w.setWallets([{ address: WATCHED }]);
    const loadedAt = Date.now();
    await w.load({
      batch: emptyBatch(),
      cursors: synced(loadedAt - 1000),
      blockCursor: { source: "node", number: 9, blockId: "ab".repeat(32), timestampMs: Date.parse("2096-01-01") },
      coverage: { wallets: [WATCHED], fromBlock: 5, fromMs: loadedAt - 2000 },
      runId: "t",
    });
    const [lag] = await walletLags(w, loadedAt + 3 * 3600_000);
    expect(lag.lagMinutes).toBeGreaterThanOrEqual(179); // before: 0 for ever
  });

  it("quarantine is total: absurd nesting, log.data '0xZZ' and a 2,409-digit amount are quarantined; the block's other payment loads", async () => {
    const nested = usdtPayment("deep", WATCHED, 1n);
    (nested.tx.raw_data as Record<string, unknown>).extra = 1;
    const c = chain({ first: 3000, count: 1 }, () => [
      nested,
      usdtPayment("zz", WATCHED, "0xZZ"),
      usdtPayment("huge", WATCHED, "9".repeat(2409)),
      usdtPayment("fine", WATCHED, 7_000_000n),
    ]);
    // JSON.stringify of the nested record itself would overflow: the double sends the text built by hand
    const body = JSON.stringify({ block: c.blocks }).replace(
      '"extra":1',
      `"extra":${"[".repeat(100_000)}1${"]".repeat(100_000)}`,
    );
    (nested.tx.raw_data as Record<string, unknown>).extra = 1;
    const node = await nodeDouble({ ...c, hook: (p) => (p === "/wallet/getblockbylimitnext" ? { body } : null) });
    const w = closeAfterEach(await memoryWarehouse());
    const r = await follow(node.url, w, 3000);
    expect(r.cursor?.number).toBe(3000);
    const rows = await w.query<{ amount_raw: string }>(stmt("SELECT amount_raw FROM transfers"));
    expect(rows).toEqual([{ amount_raw: "7000000" }]);
    const q = await w.query<{ reason: string }>(stmt("SELECT reason FROM quarantine ORDER BY reason"));
    expect(q).toHaveLength(3);
    expect(q.map((x) => x.reason).join("\n")).toMatch(
      /block 3000, transaction [0-9a-f]{64}: RangeError: Maximum call stack/,
    );
    expect(q.map((x) => x.reason).join("\n")).toMatch(/Transfer log\.data "0xZZ" is not hex/);
    expect(q.map((x) => x.reason).join("\n")).toMatch(/Transfer log\.data has \d+ hex digits: past a uint256/);
  });

  it("a TRC721 Transfer (4 topics) is a trc721 row with the token's id, the same row the TronScan path stores", async () => {
    const nft = "TFczxzPhnThNSqr5by8tvxsdCFRRz6cPNq";
    const pay = usdtPayment("nft", WATCHED, 1n);
    pay.info.log = [
      {
        address: addressToHex(nft).slice(2).toLowerCase(),
        topics: [
          TRANSFER_TOPIC,
          pay.info.log[0].topics[1],
          pay.info.log[0].topics[2],
          4242n.toString(16).padStart(64, "0"),
        ],
        data: "",
      },
    ];
    const c = chain({ first: 4000, count: 1 }, () => [pay]);
    const node = await nodeDouble(c);
    const w = closeAfterEach(await memoryWarehouse());
    await follow(node.url, w, 4000);
    const rows = await w.query(
      stmt(
        "SELECT transfer_id, asset_type, token_id, amount_raw, amount, nft_token_id, from_address, to_address FROM transfers",
      ),
    );
    const h = c.blocks[0].block_header.raw_data;
    const viaTronscan = normalizeRecords({
      nowMs: Date.now(),
      endpoint: "trc20",
      observedAtMs: Date.now(),
      records: [
        {
          transaction_id: pay.tx.txID,
          block_ts: h.timestamp,
          block: h.number,
          from_address: PAYER,
          to_address: WATCHED,
          contract_address: nft,
          quant: "4242",
          confirmed: true,
          contractRet: "SUCCESS",
          finalResult: "SUCCESS",
          event_type: "Transfer",
          tokenInfo: { tokenId: nft, tokenAbbr: "NFT", tokenName: "Some NFT", tokenDecimal: 0, tokenType: "trc721" },
        },
      ],
    }).transfers[0];
    expect(rows).toEqual([
      {
        transfer_id: viaTronscan.transferId,
        asset_type: "trc721",
        token_id: nft,
        amount_raw: "1",
        amount: "1",
        nft_token_id: "4242",
        from_address: PAYER,
        to_address: WATCHED,
      },
    ]);
  });

  it("a fork below the cursor: one line and exit 5, then --rewind-to re-follows the node's chain and drops what it no longer holds", async () => {
    const dir = tempDir();
    const old = chain({ first: 6000, count: 5 }, (n) => (n === 6003 ? [usdtPayment("old", WATCHED, 1n)] : []));
    const state = { blocks: old.blocks, infos: old.infos };
    const node = await nodeDouble(state);
    writeConfig(dir, [`base_url: ${node.url}`, "start_block: 6000", "max_retries: 1"]);
    const first = await tronmon(["-c", "tronmon.yaml", "follow", "--json"], dir);
    expect(first.code).toBe(0);
    // the node now has another chain from block 6002 on (its 6003 holds another payment) and grew by two blocks
    const endMs = old.blocks[4].block_header.raw_data.timestamp + 6000;
    const fork = chain({ first: 6002, count: 5, fork: "b", endMs }, (n) =>
      n === 6003 ? [usdtPayment("new", WATCHED, 2n)] : [],
    );
    fork.blocks[0].block_header.raw_data.parentHash = old.blocks[1].blockID;
    state.blocks = [...old.blocks.slice(0, 2), ...fork.blocks];
    for (const [n, i] of fork.infos) old.infos.set(n, i);
    const stuck = await tronmon(["-c", "tronmon.yaml", "follow"], dir);
    expect(stuck.code).toBe(5);
    expect(stuck.stderr.trim().split("\n")).toHaveLength(1);
    expect(stuck.stderr).toMatch(/^tronmon: block 6005's parent [0-9a-f]{64} is not block 6004/);
    expect(stuck.stderr).not.toMatch(/unexpected|\bat \//);
    const again = await tronmon(["-c", "tronmon.yaml", "follow", "--rewind-to", "6001", "--json"], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/rewound the block cursor to 6001 .*; 2 stored rows above it marked unconfirmed/);
    expect(JSON.parse(again.stdout.trim().split("\n").pop() ?? "")).toMatchObject({ cursor: 6006, dropped: 2 });
    const status = await tronmon(["-c", "tronmon.yaml", "status", "--json"], dir);
    const wallet = JSON.parse(status.stdout).wallets[0];
    expect(wallet).toMatchObject({ transfers: "1", unconfirmed: "0" }); // the dropped payment is neither
  }, 60_000);

  it("start_block past the node's head is a config error naming the head (exit 2); a typo never passes for 0 behind", async () => {
    const dir = tempDir();
    const c = chain({ first: 7000, count: 2 });
    const node = await nodeDouble(c);
    writeConfig(dir, [`base_url: ${node.url}`, "start_block: 700000000"]);
    const r = await tronmon(["-c", "tronmon.yaml", "follow"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/node\.start_block: 700000000 is past the node's solidified head 7001/);
    for (const bad of ["1e3", "0x10", " 7", "-1"]) {
      const b = await tronmon(["-c", "tronmon.yaml", "follow", "--blocks", bad], dir);
      expect(b.code, bad).toBe(2);
    }
    expect((await tronmon(["-c", "tronmon.yaml", "status", "--format", "xml"], dir)).code).toBe(2);
  }, 60_000);
});

describe("tronmon follow from cron alerts like watch", () => {
  it("a follow that loads a payment runs the rules and the detectors and delivers to the sinks", async () => {
    const dir = tempDir();
    const c = chain({ first: 8000, count: 3 }, (n) =>
      n === 8001 ? [usdtPayment("cron", WATCHED, 25_000_000_000n)] : [],
    );
    const node = await nodeDouble(c);
    const got: Record<string, unknown>[] = [];
    const { createServer } = await import("node:http");
    const sink = createServer((req, res) => {
      let b = "";
      req.on("data", (x) => (b += x));
      req.on("end", () => {
        got.push(JSON.parse(b));
        res.writeHead(200).end("{}");
      });
    });
    await new Promise<void>((r) => sink.listen(0, "127.0.0.1", () => r()));
    const port = (sink.address() as { port: number }).port;
    writeConfig(
      dir,
      [`base_url: ${node.url}`, "start_block: 8000"],
      [
        "rules:",
        "  - name: Any transaction",
        "    kind: count",
        "    period_days: 7",
        "    threshold: 0",
        "notify:",
        "  sinks:",
        "    - name: hook",
        "      kind: webhook",
        "      url_env: TEST_CRON_HOOK",
      ],
    );
    process.env.TEST_CRON_HOOK = `http://127.0.0.1:${port}/hook`;
    const r = await tronmon(["-c", "tronmon.yaml", "follow", "--json"], dir);
    sink.close();
    expect(r.code, r.stderr).toBe(0);
    const types = got.map(
      (g) =>
        `${g.type}:${(g.data as Record<string, unknown>)?.rule ?? (g.data as Record<string, unknown>)?.anomaly_type ?? ""}`,
    );
    expect(types.some((t) => t.startsWith("alert"))).toBe(true); // the rule opened an alert and it was delivered
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ blocks: 3, new_transfers: 1 });
  }, 60_000);
});

describe("bounded and private I/O, both clients", () => {
  it("an answer past the byte cap is cut off, never held whole", async () => {
    const big = `{"block":[${'"x",'.repeat(600_000)}"x"]}`; // ~2.4 MB
    const node = await nodeDouble({ blocks: [], infos: new Map(), hook: () => ({ body: big }) });
    const client = createNodeClient({
      baseUrl: node.url,
      requestsPerSecond: 1000,
      maxRetries: 1,
      baseDelayMs: 1,
      maxResponseBytes: 1024 * 1024,
    });
    const e = await client.blocks(1, 2).catch((x) => x);
    expect(e).toBeInstanceOf(SourceUnavailableError);
    expect(e.message).toMatch(/an answer (of \d+ MiB, more than|larger than) the 1 MiB read/);
  });

  it("a redirect is not followed: the key never reaches the other host (node and TronScan clients)", async () => {
    const elsewhere = await nodeDouble({ blocks: [], infos: new Map() });
    const redirect = { status: 307, headers: { location: `${elsewhere.url}/steal` } };
    const node = await nodeDouble({ blocks: [], infos: new Map(), hook: () => redirect });
    const nodeClient = createNodeClient({
      baseUrl: node.url,
      apiKey: "k-secret",
      requestsPerSecond: 1000,
      maxRetries: 1,
    });
    await expect(nodeClient.solidifiedHead()).rejects.toBeInstanceOf(SourceHttpError);
    const scan = createTronscanClient({
      baseUrl: node.url,
      apiKey: "k-secret",
      requestsPerSecond: 1000,
      maxRetries: 1,
    });
    await expect(scan.get("/api/transfer", { address: WATCHED })).rejects.toThrow(/redirect to .*not followed/);
    expect(elsewhere.paths).toEqual([]);
  });

  it("a key in a base URL's path never reaches the terminal, the log or the run log; credentials in it are refused by check", async () => {
    const dir = tempDir();
    const dead = "http://127.0.0.1:9/SECRETKEY12345/";
    const write = (url: string) => writeConfig(dir, [`base_url: ${url}`, "max_retries: 0", "start_block: 1"]);
    write(dead);
    const r = await tronmon(["-c", "tronmon.yaml", "follow"], dir);
    expect(r.code).toBe(75);
    const status = await tronmon(["-c", "tronmon.yaml", "status", "--json"], dir);
    for (const text of [r.stderr, r.stdout, readFileSync(join(dir, "t.log"), "utf8"), status.stdout])
      expect(text).not.toContain("SECRETKEY12345");
    expect(status.stdout).toContain("127.0.0.1:9");
    write("https://user:pass@api.trongrid.io");
    const check = await tronmon(["-c", "tronmon.yaml", "check"], dir);
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(/node\.base_url: must not hold credentials/);
    expect(check.stderr).not.toContain("pass@");
  }, 60_000);

  it("timeouts are bounded in the config; EPIPE on a closed pipe is quiet", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tronmon.yaml"), `wallets:\n  - address: ${WATCHED}\nnode:\n  timeout_ms: 3000000000\n`);
    const r = await tronmon(["-c", "tronmon.yaml", "check"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/node\.timeout_ms/);
    const { execFileSync } = await import("node:child_process");
    writeFileSync(join(dir, "ok.yaml"), `wallets:\n  - address: ${WATCHED}\n`);
    const out = execFileSync(
      "bash",
      [
        "-c",
        `node ${join(import.meta.dirname, "../bin/tronmon.js")} -c ok.yaml check --help | head -c 5; echo " rc=\${PIPESTATUS[0]}"`,
      ],
      { cwd: dir },
    ).toString();
    expect(out).toMatch(/rc=0/);
  }, 60_000);
});

export type { Block };
void USDT;
