// Tokens are told apart by contract, never by symbol: a token that borrows a famous symbol or name is marked.
import { describe, expect, it } from "vitest";
import { imitatedToken, USDT_CONTRACT } from "../src/model/tokens.ts";

describe("imitatedToken", () => {
  it("names the real token a fake borrows the symbol or name of, and nothing for the real ones", () => {
    const fake = "TMeKkafidPSpNS6V58mctWHbShGfr3tuFJ";
    expect(imitatedToken(fake, "USDT", "Tether USD")?.tokenId).toBe(USDT_CONTRACT);
    expect(imitatedToken(fake, " usdt ", null)?.tokenId).toBe(USDT_CONTRACT); // case and spaces do not hide it
    expect(imitatedToken(fake, "USDX", "tether usd")?.tokenId).toBe(USDT_CONTRACT); // the name alone
    expect(imitatedToken("1005141", "TRX", null)?.tokenId).toBe("_"); // a TRC10 calling itself TRX
    expect(imitatedToken(USDT_CONTRACT, "USDT", "Tether USD")).toBeNull();
    expect(imitatedToken("_", "TRX", "Tronix")).toBeNull();
    expect(imitatedToken(fake, "GIFT", "Some Gift")).toBeNull();
    expect(imitatedToken(fake, null, null)).toBeNull();
    expect(imitatedToken(fake, "", "")).toBeNull();
  });
});
