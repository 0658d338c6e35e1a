/**
 * The emulator's notion of "now". Tests can move it forward (control API `POST /_emulator/clock`)
 * to make token expiry, retention and rate-limit windows testable without waiting.
 * HMAC date-skew checks deliberately use the real wall clock, because the SDK signs with it.
 */
export class Clock {
  offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
