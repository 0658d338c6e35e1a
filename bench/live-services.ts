import { spawn } from 'node:child_process';
import type { Agent } from 'node:http';
import { join } from 'node:path';

import type { LocalStack } from '../dev/local-stack';

/**
 * For live-updates.bench.ts: the services whose calls it counts, in a process of their own (live-services-process.ts)
 * so that neither the benchmark's clients nor the dev stack share their event loop: Azurite's Table service behind a
 * counting HTTP proxy (every Tables request the backend makes, by method and table) and the Web PubSub emulator (its
 * own control API's counts: REST calls by operation, messages written to client sockets). The dev stack is pointed at
 * both through TABLES_CONNECTION_STRING and WEBPUBSUB_CONNECTION_STRING, which it honours as it would real ones.
 */

export interface LiveServiceCounts {
  /** Tables requests by `<method> <table>` (`POST $batch` for a batch). */
  tables: Record<string, number>;
  /** Web PubSub REST calls by operation, from the emulator's control API. */
  webPubSubRest: Record<string, number>;
  /** Data messages the emulator wrote to client sockets. */
  webPubSubDelivered: number;
}

export interface LiveServicesRequest {
  id: number;
  op: 'counts' | 'reset';
}

export type LiveServicesMessage =
  | { ready: { tablesConnectionString: string; webPubSubConnectionString: string } }
  | { id: number; counts: LiveServiceCounts };

export interface LiveServices {
  tablesConnectionString: string;
  webPubSubConnectionString: string;
  counts(): Promise<LiveServiceCounts>;
  /** Zeroes the counts. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLiveServices(): Promise<LiveServices> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'live-services-process.ts')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (counts: LiveServiceCounts) => void>();
  let nextId = 0;
  const ready = await new Promise<{ tablesConnectionString: string; webPubSubConnectionString: string }>(
    (resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the live services process exited (${code})`)));
      child.on('message', (message: LiveServicesMessage) => {
        if ('ready' in message) resolve(message.ready);
        else pending.get(message.id)?.(message.counts);
      });
    },
  );
  const ask = (op: LiveServicesRequest['op']): Promise<LiveServiceCounts> =>
    new Promise((resolve) => {
      const id = (nextId += 1);
      pending.set(id, (counts) => {
        pending.delete(id);
        resolve(counts);
      });
      child.send({ id, op } satisfies LiveServicesRequest);
    });
  return {
    ...ready,
    counts: () => ask('counts'),
    reset: async () => void (await ask('reset')),
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    },
  };
}

/** Two stacks of a bench on the same live services: one with the feature it measures, one without. */
export interface Sides<Stack> {
  services: LiveServices;
  on: Stack;
  off: Stack;
}

/**
 * Starts the live services, then the `on` and the `off` stack on them (`start` points each at the services), each
 * stopped by `cleanup` (last first), its HTTP agent too.
 */
export async function startSides<Stack extends { local: LocalStack; agent: Agent }>(
  cleanup: Array<() => unknown>,
  start: (name: 'on' | 'off', services: LiveServices) => Promise<Stack>,
): Promise<Sides<Stack>> {
  const services = await startLiveServices();
  cleanup.push(() => services.stop());
  const on = await start('on', services);
  cleanup.push(
    () => on.local.close(),
    () => on.agent.destroy(),
  );
  const off = await start('off', services);
  cleanup.push(
    () => off.local.close(),
    () => off.agent.destroy(),
  );
  return { services, on, off };
}
