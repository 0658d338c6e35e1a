import { randomUUID } from 'node:crypto';

import { createHttpHeaders, type PipelinePolicy } from '@azure/core-rest-pipeline';

import type { LogRecord } from '../../dev/host';
import type { DevTokenClaims } from '../../dev/issuer';
import { connectLocalBlob, type LocalBlob } from '../../dev/local-blob';
import { type LocalStack, startLocalStack } from '../../dev/local-stack';
import type { RunningEmulator } from '../../emulator';
import type { TelemetryExport } from '../../src/telemetry/sdk';

/** Counts every HTTP call the backend makes to Azure Tables (each retry too). */
export class TablesCallCounter {
  reads = 0;
  writes = 0;

  readonly policy: PipelinePolicy = {
    name: 'testTablesCallCounter',
    sendRequest: async (request, next) => {
      if (request.method === 'GET') this.reads += 1;
      else this.writes += 1;
      return next(request);
    },
  };

  reset(): void {
    this.reads = 0;
    this.writes = 0;
  }
}

/**
 * Makes the backend's Tables calls fail or wait on demand (fault injection on the real client, like the emulator's
 * faults).
 */
export class TablesFaults {
  private rules: Array<{ method: string; status: number; remaining: number }> = [];
  private holds: Array<{ method: string; table: string; released: Promise<void>; release(): void; taken: boolean }> =
    [];

  readonly policy: PipelinePolicy = {
    name: 'testTablesFaults',
    sendRequest: async (request, next) => {
      const hold = this.holds.find(
        (candidate) =>
          !candidate.taken &&
          candidate.method === request.method &&
          new URL(request.url).pathname.includes(candidate.table),
      );
      if (hold) {
        hold.taken = true;
        await hold.released;
      }
      const rule = this.rules.find((candidate) => candidate.method === request.method && candidate.remaining > 0);
      if (!rule) return next(request);
      rule.remaining -= 1;
      return {
        request,
        status: rule.status,
        headers: createHttpHeaders({ 'retry-after': '0' }),
        bodyAsText: '{"odata.error":{"code":"ServerBusy","message":{"value":"injected"}}}',
      };
    },
  };

  failNext(method: string, status: number, count: number): void {
    this.rules.push({ method, status, remaining: count });
  }

  /**
   * Holds the next call with `method` to a table whose name contains `table` until the returned function is called
   * (a write that reaches Tables as late as a test needs it to, without guessing a duration).
   */
  holdNext(method: string, table: string): () => void {
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ method, table, released, release, taken: false });
    return release;
  }

  clear(): void {
    this.rules = [];
    for (const hold of this.holds) hold.release();
    this.holds = [];
  }
}

export interface TestStack extends LocalStack {
  apiBaseUrl: string;
  logs: LogRecord[];
  tablesCalls: TablesCallCounter;
  tablesFaults: TablesFaults;
  /** A bearer token from the stack's dev issuer. */
  token(userId: string, claims?: DevTokenClaims): Promise<string>;
  /** Runs a timer function now (`POST /admin/functions/{name}`, as with Core Tools); resolves once the run is over. */
  runTimer(name: string): Promise<void>;
}

/**
 * The same stack `npm run dev` runs (dev host + dev issuer + ACS emulator), in memory on free ports,
 * against the Azurite that jest's global set-up started, with tables of its own. Chat events flow from the emulator
 * to `chatEvents` only with `chatEvents: true`.
 */
export async function startTestStack(
  env: Record<string, string> = {},
  shared: {
    emulator?: RunningEmulator;
    upstreamTimeoutMs?: number;
    chatEvents?: boolean;
    /** The backend reads the emulator's clock (see LocalStackOptions.backendOnEmulatorClock). */
    emulatorClock?: boolean;
    /** Live updates through the Web PubSub emulator (default on, as `npm run dev`). */
    liveUpdates?: boolean;
    /**
     * Attachments: 'shared' (default) uses the Azurite Blob of jest's global set-up with a container of this stack's
     * own; 'own' starts a Blob service for this stack alone (browser tests: the stack sets CORS for its page); false
     * runs without attachments.
     */
    attachments?: 'shared' | 'own' | false;
    /** Content checks through a Content Safety emulator of this stack's own (default off). */
    contentSafety?: boolean;
    /** Away emails through the ACS emulator's Email API (default off). */
    email?: boolean;
    /** OpenTelemetry for this process, e.g. in-memory exporters (test/helpers/telemetry.ts); off by default. */
    telemetry?: TelemetryExport;
  } = {},
): Promise<TestStack> {
  const tablesConnectionString = process.env.TEST_TABLES_CONNECTION_STRING;
  if (!tablesConnectionString)
    throw new Error('TEST_TABLES_CONNECTION_STRING is not set: integration tests need jest global set-up');
  const uniqueSuffix = randomUUID().replace(/-/g, '').slice(0, 12);
  const logs: LogRecord[] = [];
  const tablesCalls = new TablesCallCounter();
  const tablesFaults = new TablesFaults();
  const stack = await startLocalStack({
    port: 0,
    tablesConnectionString,
    ...(shared.emulator ? { emulator: shared.emulator } : {}),
    env: {
      TABLE_NAME_PREFIX: `t${uniqueSuffix}`,
      ATTACHMENTS_CONTAINER: `t${uniqueSuffix}`,
      ...env,
    },
    log: (record) => logs.push(record),
    subscribeChatEvents: shared.chatEvents ?? false,
    backendOnEmulatorClock: shared.emulatorClock ?? false,
    webPubSub: shared.liveUpdates ?? true,
    attachments: attachmentsFor(shared.attachments ?? 'shared'),
    contentSafety: shared.contentSafety ?? false,
    email: shared.email ?? false,
    ...(shared.telemetry ? { telemetry: shared.telemetry } : {}),
    composition: {
      ...(shared.upstreamTimeoutMs ? { upstreamTimeoutMs: shared.upstreamTimeoutMs } : {}),
      tablesClientOptions: {
        additionalPolicies: [
          { policy: tablesCalls.policy, position: 'perRetry' },
          { policy: tablesFaults.policy, position: 'perRetry' },
        ],
        retryOptions: { maxRetries: 2, retryDelayInMs: 50, maxRetryDelayInMs: 500 },
      },
      acsClientOptions: { retryOptions: { maxRetries: 2, retryDelayInMs: 50, maxRetryDelayInMs: 500 } },
    },
  });
  return {
    ...stack,
    apiBaseUrl: stack.host.apiBaseUrl,
    logs,
    tablesCalls,
    tablesFaults,
    token: (userId, claims) => stack.issuer.mint(userId, claims),
    runTimer: async (name) => {
      // The dev host answers when the run has finished (202, as Core Tools does, even if the run failed).
      const run = await fetch(`${stack.host.origin}/admin/functions/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"input":""}',
      });
      if (run.status !== 202) throw new Error(`running ${name} answered ${run.status}`);
    },
  };
}

function attachmentsFor(mode: 'shared' | 'own' | false): boolean | LocalBlob {
  if (mode !== 'shared') return mode === 'own';
  const running = process.env.TEST_BLOB;
  if (!running) throw new Error('TEST_BLOB is not set: integration tests need jest global set-up');
  return connectLocalBlob(JSON.parse(running) as Parameters<typeof connectLocalBlob>[0]);
}
