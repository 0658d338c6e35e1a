import { ChatClient, type ChatThreadClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';
import { CommunicationIdentityClient, type TokenScope } from '@azure/communication-identity';

import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../../emulator';
import { ContractValidator } from './contract';

/**
 * Each emulator test file starts its own in-memory emulator (independent of the jest global setup),
 * records every ACS response, and checks them all against the swagger files when the file is done.
 */

export interface Recorded {
  operation: string;
  status: number;
  body: unknown;
}

export interface TestUser {
  id: string;
  token: string;
  chat: ChatClient;
  thread(id: string): ChatThreadClient;
}

export interface TestEmulator {
  emu: RunningEmulator;
  identity: CommunicationIdentityClient;
  recorded: Recorded[];
  /** SDK options: trust our CA in code, keep retries fast. */
  clientOptions: {
    tlsOptions: { ca: string };
    retryOptions: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
  };
  chatClient(token: string): ChatClient;
  newUser(scopes?: TokenScope[]): Promise<TestUser>;
}

export function useEmulator(
  options: Pick<EmulatorOptions, 'onEvent' | 'emailRateLimit' | 'emailSenderDomains' | 'emailProcessingMs'> = {},
): () => TestEmulator {
  let env: TestEmulator | undefined;
  const recorded: Recorded[] = [];
  beforeAll(async () => {
    const emu = await startEmulator({
      ...options,
      onResponse: (operation, status, body) => recorded.push({ operation, status, body }),
    });
    const clientOptions = {
      tlsOptions: { ca: emu.caCertPem },
      retryOptions: { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 20 },
    };
    const identity = new CommunicationIdentityClient(emu.connectionString, clientOptions);
    const chatClient = (token: string): ChatClient =>
      new ChatClient(emu.endpoint, new AzureCommunicationTokenCredential(token), clientOptions);
    env = {
      emu,
      identity,
      recorded,
      clientOptions,
      chatClient,
      async newUser(scopes: TokenScope[] = ['chat']) {
        const { user, token } = await identity.createUserAndToken(scopes);
        const chat = chatClient(token);
        return { id: user.communicationUserId, token, chat, thread: (id: string) => chat.getChatThreadClient(id) };
      },
    };
  });
  afterAll(async () => {
    await env?.emu.close();
    const validator = new ContractValidator();
    const problems = recorded
      .map((r) => validator.check(r.operation, r.status, r.body))
      .filter((p): p is string => p !== undefined);
    if (recorded.length === 0) throw new Error('No ACS response was recorded for the contract check.');
    if (problems.length > 0) throw new Error(`Responses drifted from the swagger:\n${problems.join('\n')}`);
  });
  return () => {
    if (!env) throw new Error('The emulator is not started yet (use it inside tests).');
    return env;
  };
}

/** Collects every item of an SDK paged iterator. */
export async function all<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) out.push(x);
  return out;
}

/** The RestError status of a rejected SDK call. */
export async function statusOf(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { statusCode?: number }).statusCode;
  }
}

/** A raw HTTPS request to the emulator (for HMAC negatives and the control API). */
export async function raw(
  emu: RunningEmulator,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; json: unknown }> {
  const { request } = await import('node:https');
  const url = new URL(path, emu.endpoint);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca: emu.caCertPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
