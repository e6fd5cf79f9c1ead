// A token bucket shared by every request to one host, plus a global pause when the API throttles us.
import { setTimeout as sleep } from "node:timers/promises";

export type Clock = { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> };
export const systemClock: Clock = { now: () => Date.now(), sleep: (ms, signal) => sleep(ms, undefined, { signal }) };

export class TokenBucket {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Resolves when a request may be sent. Requests are served in arrival order. */
  take(signal?: AbortSignal): Promise<void> {
    const next = this.chain.then(() => this.acquire(signal));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Throttled by the server: nobody sends before `untilMs`. */
  pause(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
    this.tokens = 0;
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (now < this.pausedUntil) {
        await this.clock.sleep(this.pausedUntil - now, signal);
        continue;
      }
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000), signal);
    }
  }
}
