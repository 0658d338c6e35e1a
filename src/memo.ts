/** Creates the value on first use and keeps it. */
export function memoize<T>(create: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= create());
}

/** Like memoize for promises, except that a rejection is not kept: the next call tries again. */
export function memoizeAsync<T>(create: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= create().catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
}
