import { ChatClient, type ChatThreadClient } from '@azure/communication-chat';
import type { CommonClientOptions } from '@azure/core-client';
import type { InvocationContext } from '@azure/functions';

import type { ActingCredential, ActingTokens } from '../identity/acting-tokens';
import type { IdentityService } from '../identity/identity-service';
import { LruCache } from '../lru';
import { isStatus } from '../storage/errors';

/**
 * The backend's ACS Chat calls, made as a given identity: as the caller (so ACS attributes and checks the call too)
 * or as the service identity (thread creation and management). Chat clients are cached per identity; a 401
 * (for instance after the user revoked their tokens) drops the cached token and retries once.
 */
export class AcsChat {
  private readonly clients = new LruCache<string, { client: ChatClient; credential: ActingCredential }>(2_000);

  constructor(
    private readonly endpoint: string,
    private readonly tokens: ActingTokens,
    private readonly identity: IdentityService,
    private readonly options: CommonClientOptions,
  ) {}

  /** Runs `operation` with a ChatClient acting as `acsUserId`. */
  asUser<T>(acsUserId: string, operation: (client: ChatClient) => Promise<T>): Promise<T> {
    return this.run(acsUserId, 'user', operation);
  }

  async asService<T>(
    operation: (client: ChatClient, serviceAcsUserId: string) => Promise<T>,
    context?: InvocationContext,
  ): Promise<T> {
    const serviceAcsUserId = await this.identity.serviceAcsUserId(context);
    return this.run(serviceAcsUserId, 'service', (client) => operation(client, serviceAcsUserId));
  }

  thread(client: ChatClient, threadId: string): ChatThreadClient {
    return client.getChatThreadClient(threadId);
  }

  private async run<T>(
    acsUserId: string,
    kind: 'user' | 'service',
    operation: (client: ChatClient) => Promise<T>,
  ): Promise<T> {
    const entry = this.clientFor(acsUserId, kind);
    try {
      return await operation(entry.client);
    } catch (error) {
      if (!isStatus(error, 401)) throw error;
      entry.credential.invalidate();
      return operation(entry.client);
    }
  }

  private clientFor(acsUserId: string, kind: 'user' | 'service'): { client: ChatClient; credential: ActingCredential } {
    const key = `${kind}:${acsUserId}`;
    let entry = this.clients.get(key);
    if (!entry) {
      const credential = kind === 'service' ? this.tokens.forService(acsUserId) : this.tokens.forUser(acsUserId);
      entry = { client: new ChatClient(this.endpoint, credential, this.options), credential };
      this.clients.set(key, entry);
    }
    return entry;
  }
}
