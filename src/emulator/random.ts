// Deterministic PRNG (mulberry32) and helpers for the synthetic history.
import { createHash } from "node:crypto";
import { createBase58check } from "@scure/base";

const b58 = createBase58check((d: Uint8Array) => new Uint8Array(createHash("sha256").update(d).digest()));

export class Rng {
  private s: number;
  constructor(seed: number | string) {
    this.s = typeof seed === "number" ? seed >>> 0 : createHash("sha256").update(seed).digest().readUInt32LE(0);
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  /** Exponential gap with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }
  weighted<T extends string>(weights: Record<T, number>): T {
    const entries = Object.entries(weights) as [T, number][];
    let r = this.next() * entries.reduce((a, [, w]) => a + w, 0);
    for (const [k, w] of entries) if ((r -= w) < 0) return k;
    return entries[entries.length - 1][0];
  }
}

export function addressFrom(label: string): string {
  const body = createHash("sha256").update(`addr|${label}`).digest().subarray(0, 20);
  return b58.encode(Buffer.concat([Buffer.from([0x41]), body]));
}

export const hashFrom = (label: string): string => createHash("sha256").update(`tx|${label}`).digest("hex");
export const hexOfAddress = (address: string): string => Buffer.from(b58.decode(address)).toString("hex");
