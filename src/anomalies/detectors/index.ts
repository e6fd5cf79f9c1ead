// Every detector, in the order they run. A new one: a module here and a line below (its type in
// model/anomaly-types.ts, its settings in config/schema.ts).
import type { Detector } from "../detector.ts";
import { addressPoisoning } from "./address-poisoning.ts";
import { burstActivity } from "./burst-activity.ts";
import { fakeToken } from "./fake-token.ts";
import { largeTransaction } from "./large-transaction.ts";
import { newCounterparty } from "./new-counterparty.ts";
import { spamToken } from "./spam-token.ts";

export const DETECTORS: readonly Detector[] = [
  largeTransaction,
  newCounterparty,
  addressPoisoning,
  fakeToken,
  spamToken,
  burstActivity,
];
