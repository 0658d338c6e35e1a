import { startLocalStack } from '../dev/local-stack';
import { TablesCallCounter } from '../test/helpers/stack';

/**
 * Upstream calls per token issuance for a known user (POST /api/token): the emulator counts the ACS calls, a policy on
 * the backend's own Tables client counts the Tables operations. Measured on the instance that created the user (its
 * identity cache is warm) and on a second, fresh instance sharing the same storage and ACS (cold cache, as after a
 * scale-out). Expected: exactly 1 ACS call (the token) and at most 1 Tables operation (the identity lookup).
 * The stack runs in this process so that the counting policy can be installed; ACS rate limits stay on.
 */

const REQUESTS = 10;

async function main(): Promise<void> {
  const counters = { first: new TablesCallCounter(), second: new TablesCallCounter() };
  const composition = (counter: TablesCallCounter) => ({
    tablesClientOptions: { additionalPolicies: [{ policy: counter.policy, position: 'perRetry' as const }] },
  });
  const quiet = (): void => undefined;
  const first = await startLocalStack({
    port: 0,
    tablesPort: 0,
    acsPort: 0,
    subscribeChatEvents: false,
    log: quiet,
    composition: composition(counters.first),
  });
  if (!('connectionString' in first.info.storage)) throw new Error('the first stack uses no connection string');
  const second = await startLocalStack({
    port: 0,
    tablesConnectionString: first.info.storage.connectionString,
    emulator: first.emulator!,
    subscribeChatEvents: false,
    log: quiet,
    composition: composition(counters.second),
  });
  try {
    // Each stack has a dev issuer of its own; the user is the same.
    const bearer = new Map([
      [first, `Bearer ${await first.issuer.mint('token-bench')}`],
      [second, `Bearer ${await second.issuer.mint('token-bench')}`],
    ]);
    const issue = async (stack: typeof first): Promise<void> => {
      const response = await fetch(`${stack.host.apiBaseUrl}/token`, {
        method: 'POST',
        headers: { authorization: bearer.get(stack) ?? '' },
      });
      if (response.status !== 200) throw new Error(`POST /token answered ${response.status}`);
      await response.arrayBuffer();
    };
    await issue(first); // the user's first token creates their ACS identity
    for (const [label, stack, counter] of [
      ['warm instance', first, counters.first],
      ['fresh instance', second, counters.second],
    ] as const) {
      // The instance's table set-up (once per instance, at its first request) is not part of issuing a token.
      await fetch(`${stack.host.apiBaseUrl}/health`).then((response) => response.arrayBuffer());
      first.emulator!.control.resetCounts();
      counter.reset();
      for (let i = 0; i < REQUESTS; i += 1) await issue(stack);
      const acsCalls = Object.values(first.emulator!.control.requestCounts()).reduce((sum, n) => sum + n, 0);
      const tables = counter.reads + counter.writes;
      console.log(
        `RESULT token issuance ACS calls per request (${label}): ${(acsCalls / REQUESTS).toFixed(2)} (expected 1)`,
      );
      console.log(
        `RESULT token issuance Tables operations per request (${label}): ${(tables / REQUESTS).toFixed(2)} ` +
          `(expected ≤ 1; ${counter.reads} reads, ${counter.writes} writes in ${REQUESTS} requests)`,
      );
    }
  } finally {
    await second.close();
    await first.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
