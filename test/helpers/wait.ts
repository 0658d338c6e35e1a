import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `read` until `done` holds for its value and returns that value; after `timeoutMs` returns the last value
 * read, for the test's own assertion to report. For effects that finish "soon" on another task (a slow upstream call
 * completing after the backend gave up on it): waiting for the effect itself instead of a fixed time keeps a test
 * correct on a slow or busy machine.
 */
export async function eventually<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= deadline) return value;
    await sleep(25);
  }
}

/** Waits until `condition` holds; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  if (!(await eventually(condition, (held) => held, timeoutMs))) throw new Error('timed out waiting for a condition');
}

/** Waits until `probe` gives a value and returns it; throws after `timeoutMs`. */
export async function waitForValue<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const value = await eventually(probe, (found) => found !== undefined, timeoutMs);
  if (value === undefined) throw new Error('timed out waiting for a value');
  return value;
}
