import { DEFAULT_RETRY_POLICY, retryDelayMs } from '../emulator/eventgrid/delivery';
import { DEFAULT_ORPHAN_THREAD_GRACE_SECONDS } from '../src/config';

/**
 * The dev stack's Event Grid clock: the emulator multiplies Event Grid's retry schedule (10 s, 30 s, 1 min, 5 min,
 * 10 min, …) and its 24 h time-to-live by this factor, so a failed delivery is retried after 0.1 s, 0.3 s, 0.6 s, 3 s,
 * 6 s, … and given up after 14.4 min.
 *
 * The orphan grace period (ORPHAN_THREAD_GRACE_SECONDS) is measured against that schedule: the backend refuses an
 * orphan's ChatThreadCreated until the grace is over, and the delivery that comes after it deletes the thread. Azure's
 * 300 s of real time against a compressed schedule outlast its redeliveries (the emulator's default factor, 0.001,
 * gives an event up after 86 s): the orphan is never deleted. So the dev stack compresses the grace by the same
 * factor (orphanGraceSeconds): 3 s, and the orphan is deleted on the fifth delivery, 4 s after its creation, as Azure
 * deletes it on the fifth, 6 min 40 s after (10 s + 30 s + 1 min + 5 min).
 *
 * Why 0.01: the grace is also a real-time wait, for the create to record its thread or for the client to retry it with
 * its Idempotency-Key. The emulator's own default (0.001) would make it 0.3 s, short enough to delete threads that are
 * still being recorded; 3 s covers that and a client's prompt retry after a 503's Retry-After (a retry minutes later,
 * which Azure's 5 min allow, finds its thread deleted here: 404). A larger factor delays the clean-up (400 s × the
 * factor) and every event retry.
 */
export const DEV_EVENT_TIME_SCALE = 0.01;

/** Never less than this: the backend's own create must have time to record its thread. */
const MIN_GRACE_SECONDS = 1;

/** Azure's default grace period on an Event Grid clock compressed by `timeScale` (whole seconds). */
export function orphanGraceSeconds(timeScale: number): number {
  return Math.max(MIN_GRACE_SECONDS, Math.round(DEFAULT_ORPHAN_THREAD_GRACE_SECONDS * timeScale));
}

/**
 * When an orphan is deleted, in ms after its creation: the first delivery of its ChatThreadCreated at or after the
 * grace period (by the default retry policy, the dev stack's subscription's). Undefined when Event Grid gives the event
 * up first: then the orphan is never deleted.
 */
export function orphanDeletedAfterMs(graceMs: number, timeScale: number): number | undefined {
  const timeToLiveMs = DEFAULT_RETRY_POLICY.eventTimeToLiveInMinutes * 60_000 * timeScale;
  let deliveredAtMs = 0;
  for (let attempts = 1; attempts <= DEFAULT_RETRY_POLICY.maxDeliveryAttempts; attempts += 1) {
    if (deliveredAtMs >= graceMs) return deliveredAtMs;
    deliveredAtMs += retryDelayMs(attempts, timeScale);
    if (deliveredAtMs > timeToLiveMs) return undefined;
  }
  return undefined;
}
