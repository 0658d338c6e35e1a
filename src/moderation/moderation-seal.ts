import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { BACKEND_METADATA_PREFIX } from '../attachments/attachment-schemas';

/**
 * The mark a message carries into ACS when it passed our check on the way in, so that its event is not checked a
 * second time. Users hold ACS tokens and could write any metadata themselves, so the mark is an HMAC (a key kept in
 * Tables, shared by every instance) of the thread, the sender and the exact content: a message sent or edited
 * straight in ACS has no valid mark, and is checked after the fact. Never shown to clients (backend-reserved key).
 */
export const MODERATION_METADATA_KEY = `${BACKEND_METADATA_PREFIX}checked`;

export interface SealedContent {
  threadId: string;
  senderAcsUserId: string;
  content: string;
}

export class ModerationSeal {
  constructor(private readonly key: () => Promise<Buffer>) {}

  async seal(content: SealedContent): Promise<string> {
    return createHmac('sha256', await this.key())
      .update(canonical(content))
      .digest('base64url')
      .slice(0, 32);
  }

  async verifies(content: SealedContent, mark: string | undefined): Promise<boolean> {
    if (!mark) return false;
    const expected = Buffer.from(await this.seal(content));
    const given = Buffer.from(mark);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/**
 * `text` or `html` (ACS events say `Text`, `Html` or `RichText/Html`); undefined for other message types (system
 * messages: nothing a user wrote).
 */
export function contentKind(type: string): 'text' | 'html' | undefined {
  const lower = type.toLowerCase();
  if (lower === 'text') return 'text';
  if (lower === 'html' || lower === 'richtext/html') return 'html';
  return undefined;
}

function canonical({ threadId, senderAcsUserId, content }: SealedContent): string {
  const digest = createHash('sha256').update(content).digest('base64url');
  return [threadId, senderAcsUserId, digest].join('\n');
}
