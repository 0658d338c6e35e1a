/**
 * The entry point of a benchmark that starts services and judges what it measured: runs `body` with a clean-up list
 * (its steps run last first, after a failure too), prints `FAIL <what>` for each wrong behaviour `body` returns and
 * then exits with 1, otherwise with 0. It ends the process itself: some clients keep timers alive after they are
 * stopped (a stopped WebPubSubClient's keep-alive tasks sleep out their interval, up to 40 s).
 */
export function runBench(body: (cleanup: Array<() => unknown>) => Promise<string[]>): void {
  const run = async (): Promise<void> => {
    const cleanup: Array<() => unknown> = [];
    try {
      for (const failure of await body(cleanup)) {
        console.error(`FAIL ${failure}`);
        process.exitCode = 1;
      }
    } finally {
      for (const step of cleanup.reverse()) await step();
    }
  };
  run().then(
    () => process.exit(),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
