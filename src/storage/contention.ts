/** Conditional writes that lose to another writer are retried this many times in all before the failure is thrown. */
export const MAX_WRITE_ATTEMPTS = 8;

/** Another writer won: wait a little, more each time and at random, so that contending writers stop colliding. */
export const afterRace = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
