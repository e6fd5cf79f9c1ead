// Built-in facts: well-known tokens (keyed by contract / id, never by symbol) and contract type names.

export type TokenMeta = {
  tokenId: string;
  assetType: "trx" | "trc10" | "trc20" | "trc721";
  symbol: string;
  name: string;
  decimals: number;
};

export const TRX: TokenMeta = { tokenId: "_", assetType: "trx", symbol: "TRX", name: "Tronix", decimals: 6 };
export const USDT_CONTRACT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

/** Well-known TRC20 tokens on mainnet. Used when a record does not carry the real token's info. */
export const WELL_KNOWN_TOKENS: readonly TokenMeta[] = [
  { tokenId: USDT_CONTRACT, assetType: "trc20", symbol: "USDT", name: "Tether USD", decimals: 6 },
  { tokenId: "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8", assetType: "trc20", symbol: "USDC", name: "USD Coin", decimals: 6 },
  {
    tokenId: "TNUC9Qb1rRpS5CbWLmNMxXBjyFoydXjWFR",
    assetType: "trc20",
    symbol: "WTRX",
    name: "Wrapped TRX",
    decimals: 6,
  },
  { tokenId: "TCFLL5dx5ZJdKnWuesXxi1VPwjLVmWZZy9", assetType: "trc20", symbol: "JST", name: "JUST", decimals: 18 },
  { tokenId: "TSSMHYeV2uE9qYH95DqyoCuNCzEL1NvU3S", assetType: "trc20", symbol: "SUN", name: "SUN", decimals: 18 },
  {
    tokenId: "TAFjULxiVgT4qWk6UZwjqwZXTSaGaqnVp4",
    assetType: "trc20",
    symbol: "BTT",
    name: "BitTorrent",
    decimals: 18,
  },
  { tokenId: "TUpMhErZL2fhh4sVNULAbNKLokS4GjC1F4", assetType: "trc20", symbol: "TUSD", name: "TrueUSD", decimals: 18 },
  {
    tokenId: "TXpw8XeWYeTUd4quDskoUqeQPowRh4jY65",
    assetType: "trc20",
    symbol: "WBTC",
    name: "Wrapped BTC",
    decimals: 8,
  },
];

const byId = new Map(WELL_KNOWN_TOKENS.map((t) => [t.tokenId, t]));
export const wellKnownToken = (tokenId: string): TokenMeta | undefined => (tokenId === "_" ? TRX : byId.get(tokenId));

const fold = (v: string | null | undefined) => (v ?? "").trim().toLowerCase();

/**
 * The well-known token another token borrows the symbol or name of (a fake "USDT" at another contract), or null:
 * a symbol or name equal, case and spaces aside, to a known token's, on another contract — the rule the fake_token
 * detector applies in SQL (anomalies/fragments.ts fakeCondition). Tokens are told apart by contract, never by symbol.
 */
export function imitatedToken(
  tokenId: string,
  symbol: string | null,
  name: string | null,
  known: readonly Pick<TokenMeta, "tokenId" | "symbol" | "name">[] = [TRX, ...WELL_KNOWN_TOKENS],
): Pick<TokenMeta, "tokenId" | "symbol" | "name"> | null {
  const [s, n] = [fold(symbol), fold(name)];
  return known.find((k) => ((s && fold(k.symbol) === s) || (n && fold(k.name) === n)) && k.tokenId !== tokenId) ?? null;
}

/**
 * A token as text, as what it is: its symbol (or id), and, when it borrows a well-known token's symbol or name at
 * another contract, a flag saying so — "USDT [FAKE: not Tether USD TR7NHq…]". For terminals and files; the
 * dashboard draws the same flag (ui.js tokenLabel).
 */
export function tokenText(tokenId: string, symbol: string | null, name: string | null = null): string {
  const text = symbol ?? tokenId;
  const real = imitatedToken(tokenId, symbol, name);
  return real ? `${text} [FAKE: not ${real.name ?? real.symbol} ${real.tokenId.slice(0, 6)}…]` : text;
}

/** The contract of the well-known token a stored token borrows the symbol or name of, or null (rows as read). */
export const imitatedId = (tokenId: unknown, symbol: unknown, name: unknown): string | null =>
  tokenId === null || tokenId === undefined
    ? null
    : (imitatedToken(String(tokenId), symbol == null ? null : String(symbol), name == null ? null : String(name))
        ?.tokenId ?? null);

/** Transaction.Contract.ContractType names from Tron.proto. */
export const CONTRACT_TYPE_NAMES: Record<number, string> = {
  0: "AccountCreateContract",
  1: "TransferContract",
  2: "TransferAssetContract",
  3: "VoteAssetContract",
  4: "VoteWitnessContract",
  5: "WitnessCreateContract",
  6: "AssetIssueContract",
  8: "WitnessUpdateContract",
  9: "ParticipateAssetIssueContract",
  10: "AccountUpdateContract",
  11: "FreezeBalanceContract",
  12: "UnfreezeBalanceContract",
  13: "WithdrawBalanceContract",
  14: "UnfreezeAssetContract",
  15: "UpdateAssetContract",
  16: "ProposalCreateContract",
  17: "ProposalApproveContract",
  18: "ProposalDeleteContract",
  19: "SetAccountIdContract",
  20: "CustomContract",
  30: "CreateSmartContract",
  31: "TriggerSmartContract",
  32: "GetContract",
  33: "UpdateSettingContract",
  41: "ExchangeCreateContract",
  42: "ExchangeInjectContract",
  43: "ExchangeWithdrawContract",
  44: "ExchangeTransactionContract",
  45: "UpdateEnergyLimitContract",
  46: "AccountPermissionUpdateContract",
  48: "ClearABIContract",
  49: "UpdateBrokerageContract",
  51: "ShieldedTransferContract",
  52: "MarketSellAssetContract",
  53: "MarketCancelOrderContract",
  54: "FreezeBalanceV2Contract",
  55: "UnfreezeBalanceV2Contract",
  56: "WithdrawExpireUnfreezeContract",
  57: "DelegateResourceContract",
  58: "UnDelegateResourceContract",
  59: "CancelAllUnfreezeV2Contract",
};
export const contractTypeName = (t: number | null): string | null =>
  t === null ? null : (CONTRACT_TYPE_NAMES[t] ?? `ContractType${t}`);
