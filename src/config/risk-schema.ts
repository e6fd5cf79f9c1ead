// The `risk` section: which lists to screen against (files, URLs or the shipped OFAC snapshot), how often to read
// them again, and what an approval must exceed to be a finding.
import { z } from "zod";

/** The shipped lists (folder risk-lists/ of the package, each with its provenance). */
export const BUILTIN_LISTS = {
  "ofac-sdn-tron-2024-09-27": {
    folder: "ofac-sdn-tron-2024-09-27",
    files: ["ofac_sdn_TRX_2024-09-27.txt", "ofac_sdn_USDT_tron_2024-09-27.txt"],
    retrievedAt: "2024-09-27T00:00:00Z",
    source:
      "OFAC SDN (SDN_ADVANCED.XML) TRON addresses of 2024-09-27, via 0xB10C/ofac-sanctioned-digital-currency-addresses f2aee22",
  },
} as const;
export type BuiltinList = keyof typeof BUILTIN_LISTS;

/** Names the monitor keeps itself: Tether's freezes, followed from the chain. */
export const TETHER_LIST = "tether-frozen";

export const riskListSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, "must be lowercase letters, digits, '.', '_' or '-' (a list's name)")
      .refine((n) => n !== TETHER_LIST, `${TETHER_LIST} is kept by the monitor itself (from the chain)`)
      .describe("The list's name, shown in findings"),
    kind: z.enum(["sanctions", "custom"]).default("custom").describe("sanctions (an official list) or custom"),
    category: z.string().min(1).default("listed").describe("Category of entries that do not name their own"),
    builtin: z
      .enum(Object.keys(BUILTIN_LISTS) as [BuiltinList])
      .nullable()
      .default(null)
      .describe("A list shipped with tronmon (risk-lists/), instead of files or url"),
    files: z
      .array(z.string().min(1))
      .default([])
      .describe("List files merged into one list (TXT, CSV, JSON, SDN_ADVANCED.XML)"),
    url: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .default(null)
      .describe("Or: a URL to download the list from"),
    retrieved_at: z
      .string()
      .refine((v) => Number.isFinite(Date.parse(v)), "must be an ISO 8601 date")
      .nullable()
      .default(null)
      .describe("When the files were published (null: their modification time; a URL: when downloaded)"),
    refresh_minutes: z
      .number()
      .int()
      .min(1)
      .max(525_600)
      .default(1440)
      .describe("How often watch reads the list again"),
  })
  .refine((l) => [l.builtin !== null, l.files.length > 0, l.url !== null].filter(Boolean).length === 1, {
    message: "a list takes exactly one of builtin, files or url",
  });
export type RiskListSettings = z.infer<typeof riskListSchema>;

export const DEFAULT_RISK_LISTS: RiskListSettings[] = [
  {
    name: "ofac-sdn",
    kind: "sanctions",
    category: "sanctions",
    builtin: "ofac-sdn-tron-2024-09-27",
    files: [],
    url: null,
    retrieved_at: null,
    refresh_minutes: 1440,
  },
];

export const riskSchema = z.strictObject({
  screening: z.boolean().default(true).describe("Screen every movement of the watched wallets against the lists"),
  lists: z
    .array(riskListSchema)
    .default(DEFAULT_RISK_LISTS)
    .describe("Lists screened against (the shipped OFAC SDN snapshot by default; tether-frozen is always kept)"),
  approvals: z
    .strictObject({
      large: z
        .record(z.string().min(1), z.string().regex(/^\d+(\.\d+)?$/, "must be a decimal amount such as 1000000"))
        .default({ TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t: "1000000" })
        .describe(
          "Per token (contract): an allowance at or above this (token units) is a finding; 2^128 and up always is",
        ),
      allowed_spenders: z
        .record(z.string().min(1), z.array(z.string().min(1)))
        .default({})
        .describe('Spenders a wallet may approve without a finding: per wallet address, or "*" for every wallet'),
    })
    .prefault({})
    .describe("approve / increaseApproval by a watched wallet: which allowances are findings (large_approval)"),
  tether_freezes: z
    .boolean()
    .default(true)
    .describe("Follow Tether's USDT blacklist (AddedBlackList, RemovedBlackList, DestroyedBlackFunds) from blocks"),
});
export type RiskSettings = z.infer<typeof riskSchema>;
