// Tokens are told apart by contract, never by symbol: a token that borrows a famous symbol or name is marked.
import { describe, expect, it } from "vitest";
import { imitatedToken, tokenText, USDT_CONTRACT } from "../src/model/tokens.ts";
import { groupThousands } from "../src/model/amount.ts";

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

describe("tokenText and groupThousands (the CLI's token and amount cells)", () => {
  it("flags a borrowed symbol in plain text and leaves the real token alone", () => {
    expect(tokenText("TMeKkafidPSpNS6V58mctWHbShGfr3tuFJ", "USDT", "Tether USD")).toBe(
      "USDT [FAKE: not Tether USD TR7NHq…]",
    );
    expect(tokenText(USDT_CONTRACT, "USDT", "Tether USD")).toBe("USDT");
    expect(tokenText("1002000", null)).toBe("1002000");
  });
  it("groups the whole part only, exactly, whatever the size", () => {
    expect(groupThousands("202092082.860936")).toBe("202,092,082.860936");
    expect(groupThousands("-1234567.0000001")).toBe("-1,234,567.0000001");
    expect(groupThousands("999")).toBe("999");
    // a uint256 amount: no float would keep these digits
    expect(groupThousands("115792089237316195423570985008687907853269984665640564039457584007913129639935")).toBe(
      "115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457,584,007,913,129,639,935",
    );
  });
});
