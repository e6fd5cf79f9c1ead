// The API's parameter vocabulary shared by its route files: validation (zod) that answers 400 with the reasons,
// times, and the suppression a close may ask for.
import { z } from "zod";
import { UsageError } from "../internal/errors.ts";
import type { Logger } from "../internal/logger.ts";
import type { Warehouse } from "../warehouse/types.ts";

export const ms = z.iso
  .datetime({ offset: true })
  .or(z.iso.date())
  .transform((v) => Date.parse(v));
/** A suppression asked for on closing: its factor (default triage.reopen_factor) and when it ends (none: never). */
export const SUPPRESS = z.strictObject({
  factor: z
    .string()
    .regex(/^\d{1,20}(\.\d{1,18})?$/, "must be a decimal such as 2")
    .optional(),
  until: ms.optional(),
  any_counterparty: z.boolean().optional(),
});

/** A request whose parameters fail validation: answered 400 with the reasons. */
export class Invalid extends UsageError {
  override name = "Invalid";
}
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new Invalid(r.error.issues.map((i) => `${i.path.join(".") || "(query)"}: ${i.message}`).join("; "));
  return r.data;
}

export type ApiOptions = {
  warehouse: Warehouse;
  outDir: string;
  now: () => number;
  logger?: Logger;
  /** triage.reopen_factor: a suppression's factor unless the request names one. */
  reopenFactor?: string;
  /** Each watched wallet's detector profile (the config's), for the wallets page. */
  profiles?: Record<string, string | null>;
};
