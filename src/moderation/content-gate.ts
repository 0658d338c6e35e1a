import type { InvocationContext } from '@azure/functions';

import type { CallScope } from '../chat/chat-context';
import { ServiceUnavailableError, UnprocessableError } from '../errors';
import type { AuditLog } from './audit-log';
import { ContentSafetyUnavailable } from './content-safety';
import { MODERATION_METADATA_KEY, type ModerationSeal } from './moderation-seal';
import { moderatedText, type RejectionCategory, type TextModeration } from './text-moderation';

/** A message about to go to ACS through the API. */
export interface OutgoingMessage {
  threadId: string;
  senderAcsUserId: string;
  /** Known on send; an edit does not say. */
  kind?: 'text' | 'html';
  content: string;
}

/** What the API does with a message: carry the seal into ACS, or (Content Safety unavailable) send it unchecked. */
export type Admission = { metadata: Record<string, string> } | { pending: true };

/**
 * The check on the way in (send, edit, topics): one Content Safety call, then either the message goes to ACS with
 * the seal that spares it a second check after the fact, or the request fails with 422 ContentRejected (audited) and
 * nothing reaches ACS. When Content Safety cannot answer, MODERATION_WHEN_UNAVAILABLE decides for messages: `accept`
 * sends it without the seal, so that its event has it checked once Content Safety answers again; `refuse` answers
 * 503 with Content Safety's Retry-After. Topics are always refused then: no event-driven check follows them.
 */
export class ContentGate {
  constructor(
    private readonly moderation: TextModeration,
    private readonly seal: ModerationSeal,
    private readonly audit: AuditLog,
    private readonly whenUnavailable: 'accept' | 'refuse',
  ) {}

  async admitMessage(scope: CallScope, message: OutgoingMessage): Promise<Admission> {
    try {
      await this.judge(scope, 'content', moderatedText(message.content, message.kind), message.threadId);
    } catch (error) {
      if (!(error instanceof ContentSafetyUnavailable)) throw error;
      logUnavailable(scope.context, error, this.whenUnavailable);
      if (this.whenUnavailable === 'refuse') throw refusal(error);
      return { pending: true };
    }
    return { metadata: { [MODERATION_METADATA_KEY]: await this.seal.seal(message) } };
  }

  async admitTopic(scope: CallScope, topic: string, threadId?: string): Promise<void> {
    try {
      await this.judge(scope, 'topic', topic, threadId);
    } catch (error) {
      if (!(error instanceof ContentSafetyUnavailable)) throw error;
      logUnavailable(scope.context, error, 'refuse');
      throw refusal(error);
    }
  }

  private async judge(scope: CallScope, field: string, text: string, threadId?: string): Promise<void> {
    const verdict = await this.moderation.verdict(text);
    if (!verdict.flagged) return;
    // The refusal stands even when its audit entry cannot be written (logged): nothing was sent either way.
    await this.audit
      .record(
        {
          action: 'contentRejected',
          actor: 'system',
          subject: scope.caller.userId,
          reason: verdict.categories.join(', '),
          details: { field, ...(threadId ? { threadId } : {}) },
        },
        scope.context,
      )
      .catch((error: unknown) =>
        scope.context?.warn('content rejection not audited', {
          error: error instanceof Error ? error.name : 'unknown',
        }),
      );
    throw contentRejected(field, verdict.categories);
  }
}

export function contentRejected(field: string, categories: RejectionCategory[]): UnprocessableError {
  const named = categories.map((category) => (category === 'Blocklist' ? 'a blocked term' : category)).join(', ');
  return new UnprocessableError(
    `Not sent: the ${field === 'topic' ? 'topic' : 'message'} was flagged by moderation (${named}).`,
    'ContentRejected',
    categories.map((category) => ({ code: 'HarmCategory', message: category, target: field })),
  );
}

function refusal(error: ContentSafetyUnavailable): ServiceUnavailableError {
  return new ServiceUnavailableError(
    'Content moderation is unavailable right now; please retry.',
    Math.max(1, error.retryAfterSeconds),
  );
}

function logUnavailable(
  context: InvocationContext | undefined,
  error: ContentSafetyUnavailable,
  decision: 'accept' | 'refuse',
): void {
  const fields = { status: error.status ?? 'no answer', retryAfterSeconds: error.retryAfterSeconds, decision };
  if (error.misconfigured) context?.error('Content Safety refuses the backend (check its role and blocklists)', fields);
  else context?.warn('Content Safety unavailable', fields);
}
