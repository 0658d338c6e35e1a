import { spawn } from 'node:child_process';
import { Agent } from 'node:http';
import { join } from 'node:path';

import { ChatClient, type ChatThreadClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';

import { processCpuMs, sendRequest } from './dev-stack';

/**
 * The baselines a backend's figures are read against (overhead.bench.ts, moderation.bench.ts): the same chat call made
 * directly with @azure/communication-chat as the user, and made by the floor, a do-nothing proxy (floor-proxy.ts).
 */

/** One call as user `user` (an index into the issued tokens). */
export type Operation = (user: number) => Promise<void>;

/** What POST /api/token answers, as far as the baselines need it. */
export interface IssuedToken {
  token: string;
  endpoint: string;
}

/** The same users, as ACS clients of their own: the token each was issued, used with the SDK directly. */
export function directSide(issued: IssuedToken[], ca: string, threadId: string): { send: Operation; list: Operation } {
  const clients: ChatThreadClient[] = issued.map(({ token, endpoint }) =>
    new ChatClient(endpoint, new AzureCommunicationTokenCredential(token), { tlsOptions: { ca } }).getChatThreadClient(
      threadId,
    ),
  );
  return {
    send: async (user) => {
      await clients[user]!.sendMessage({ content: 'hello' });
    },
    list: async (user) => {
      await clients[user]!.listMessages({ maxPageSize: 20 }).byPage({ maxPageSize: 20 }).next();
    },
  };
}

/** The floor: floor-proxy.ts in a process of its own, acting as the same users with the tokens they were issued. */
export async function floorSide(
  issued: IssuedToken[],
  ca: string,
  threadId: string,
): Promise<{ send: Operation; list: Operation; cpuMs: () => number; stop: () => void }> {
  const config = { endpoint: issued[0]!.endpoint, ca, threadId, tokens: issued.map(({ token }) => token) };
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'floor-proxy.ts')], {
    env: { ...process.env, FLOOR_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const printed = /PORT (\d+)/.exec(chunk.toString('utf8'));
      if (printed) resolve(Number(printed[1]));
    });
    child.once('exit', () => reject(new Error('the floor proxy exited')));
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const call = async (path: string, method: string, wanted: number, body?: unknown): Promise<void> => {
    const { status } = await sendRequest(agent, `http://127.0.0.1:${port}${path}`, method, '', body);
    if (status !== wanted) throw new Error(`floor answered ${status}, expected ${wanted}`);
  };
  return {
    send: (user) => call(`/send/${user}`, 'POST', 201, { content: 'hello' }),
    list: (user) => call(`/list/${user}`, 'GET', 200),
    cpuMs: () => processCpuMs(child.pid),
    stop: () => {
      agent.destroy();
      child.kill();
    },
  };
}
