import { ApiError } from '../../client';

/** Each idle poll waits this much longer than the one before. */
const IDLE_GROWTH = 1.5;

/**
 * Runs `poll` again and again: soon while things change, then less and less often while idle (up to `maxMs`), and
 * never sooner than a Retry-After the API asked for. `poll` resolves true when it saw something new.
 */
export class Poller {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private delayMs: number;
  private stopped = false;

  constructor(
    private readonly poll: () => Promise<boolean>,
    private readonly minMs = 1000,
    private readonly maxMs = 10_000,
  ) {
    this.delayMs = minMs;
  }

  /** Starts (or starts again after `stop`) with a poll now. */
  start(): void {
    this.stopped = false;
    this.delayMs = this.minMs;
    this.schedule(0);
  }

  /** Poll now and come back quickly (after the user did something). */
  nudge(): void {
    this.delayMs = this.minMs;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), ms);
  }

  private async run(): Promise<void> {
    let waitMs: number;
    try {
      const changed = await this.poll();
      this.delayMs = changed ? this.minMs : Math.min(this.maxMs, this.delayMs * IDLE_GROWTH);
      waitMs = this.delayMs;
    } catch (error) {
      this.delayMs = Math.min(this.maxMs, this.delayMs * IDLE_GROWTH);
      waitMs = Math.max(this.delayMs, error instanceof ApiError ? (error.retryAfterMs ?? 0) : 0);
    }
    this.schedule(waitMs);
  }
}
