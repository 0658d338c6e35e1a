import { ChatClient, type ChatThreadClient } from '@azure/communication-chat';
import type { CommonClientOptions } from '@azure/core-client';
import type { InvocationContext } from '@azure/functions';

import type { ActingCredential, ActingFor, ActingScope, ActingTokens } from '../identity/acting-tokens';
import type { IdentityService } from '../identity/identity-service';
import { LruCache } from '../lru';
import { isStatus } from '../storage/errors';

/**
 * The backend's ACS Chat calls, made as a given identity: as the caller (so ACS attributes and checks the call too,
 * and its per-identity rate limits apply to that user alone), or as the service identity (participant management,
 * and the fallback for deleting threads). Chat clients are cached per identity and scope; a 401 (for instance after
 * the user revoked their tokens) drops the cached token and retries once.
 */
export class AcsChat {
  private readonly clients = new LruCache<string, { client: ChatClient; credential: ActingCredential }>(2_000);

  constructor(
    private readonly endpoint: string,
    private readonly tokens: ActingTokens,
    private readonly identity: IdentityService,
    private readonly options: CommonClientOptions,
  ) {}

  /**
   * Runs `operation` with a ChatClient acting as `acsUserId`; scope `chat` for creating, updating or deleting
   * threads as their owner; `backendTask` when the backend acts as them on someone else's behalf (see ActingFor).
   */
  asUser<T>(
    acsUserId: string,
    operation: (client: ChatClient) => Promise<T>,
    scope: ActingScope = 'chat.join.limited',
    actingFor: ActingFor = 'userRequest',
  ): Promise<T> {
    return this.run(acsUserId, scope, actingFor, operation);
  }

  async asService<T>(
    operation: (client: ChatClient, serviceAcsUserId: string) => Promise<T>,
    context?: InvocationContext,
  ): Promise<T> {
    const serviceAcsUserId = await this.identity.serviceAcsUserId(context);
    return this.run(serviceAcsUserId, 'chat', 'backendTask', (client) => operation(client, serviceAcsUserId));
  }

  thread(client: ChatClient, threadId: string): ChatThreadClient {
    return client.getChatThreadClient(threadId);
  }

  private async run<T>(
    acsUserId: string,
    scope: ActingScope,
    actingFor: ActingFor,
    operation: (client: ChatClient) => Promise<T>,
  ): Promise<T> {
    try {
      return await operation(this.clientFor(acsUserId, scope, actingFor).client);
    } catch (error) {
      if (!isStatus(error, 401)) throw error;
      // The SDK's pipeline keeps the token it was given until it nears expiry, so a fresh token needs a fresh client.
      this.clients.delete(`${actingFor}|${scope}|${acsUserId}`);
      this.tokens.forget(acsUserId);
      return operation(this.clientFor(acsUserId, scope, actingFor).client);
    }
  }

  private clientFor(
    acsUserId: string,
    scope: ActingScope,
    actingFor: ActingFor,
  ): { client: ChatClient; credential: ActingCredential } {
    const key = `${actingFor}|${scope}|${acsUserId}`;
    let entry = this.clients.get(key);
    if (!entry) {
      const credential = this.tokens.forIdentity(acsUserId, scope, actingFor);
      entry = { client: new ChatClient(this.endpoint, credential, this.options), credential };
      this.clients.set(key, entry);
    }
    return entry;
  }
}
