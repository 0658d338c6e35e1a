import { setTimeout as sleep } from 'node:timers/promises';

/**
 * One pause shared by every worker of a run: when ACS (or Storage) asks us to slow down, nobody calls again
 * before the Retry-After has passed. A pause that would end after the run's deadline means "stop for now".
 */
export class SharedBackoff {
  private pausedUntil = 0;

  constructor(
    private readonly deadline: number,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {}

  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  /** True once no pause is pending (after waiting it out); false when the pause or the deadline ends the run. */
  async ready(): Promise<boolean> {
    for (;;) {
      const now = this.now();
      if (now >= this.deadline || this.pausedUntil > this.deadline) return false;
      if (this.pausedUntil <= now) return true;
      await this.wait(this.pausedUntil - now);
    }
  }

  /** No new work should start: the deadline has passed, or a pause outlasts it. */
  exhausted(): boolean {
    return this.now() >= this.deadline || this.pausedUntil > this.deadline;
  }
}
