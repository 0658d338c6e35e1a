/**
 * Runs `work` over the items of an async iterable with at most `concurrency` items in flight.
 * An item is pulled only when a worker is free, so nothing is read ahead of the workers beyond what the
 * iterable itself buffers; `shouldStop` is asked before each pull, and once it says yes no new item starts
 * (items already started finish). Errors of `work` are the caller's business: it must not throw. A failure of the
 * iterable stops the pulls and is thrown once the items already started have finished.
 */
export async function forEachBounded<T>(
  items: AsyncIterable<T>,
  options: { concurrency: number; shouldStop: () => boolean },
  work: (item: T) => Promise<void>,
): Promise<{ stopped: boolean }> {
  const iterator = items[Symbol.asyncIterator]();
  let stopped = false;
  let exhausted = false;
  // Async generators queue concurrent next() calls, but plain iterators need not: serialize the pulls.
  let pulling: Promise<unknown> = Promise.resolve();
  const pull = (): Promise<IteratorResult<T>> => {
    const next = pulling.then(() => iterator.next());
    pulling = next.catch(() => undefined);
    return next;
  };

  let failure: { error: unknown } | undefined;

  const worker = async (): Promise<void> => {
    while (!exhausted && !failure) {
      if (options.shouldStop()) {
        stopped = true;
        return;
      }
      let next: IteratorResult<T>;
      try {
        next = await pull();
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (next.done) {
        exhausted = true;
        return;
      }
      await work(next.value);
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  if (failure) throw failure.error;
  if (!exhausted) await iterator.return?.();
  return { stopped };
}
