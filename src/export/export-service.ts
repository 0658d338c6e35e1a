import type { ChatMessage } from '@azure/communication-chat';

import type { CallScope, ChatDependencies } from '../chat/chat-context';
import { fromThreadCall } from '../chat/errors';
import { onePage } from '../chat/paging';
import { rawId } from '../chat/people';
import { identifiersIn, messageView } from '../chat/views';
import { ValidationError } from '../errors';
import type { IdentityService } from '../identity/identity-service';
import { unreadCount } from '../inbox/inbox-state';
import type { NotificationSettingsService } from '../notifications/notification-settings';
import type { InboxRepository } from '../storage/inbox-repository';
import { rethrowAs } from '../upstream-errors';
import type { ExportPage } from './export-schemas';

/** ACS pages of messages (of 200) one export page reads at most; a longer thread continues on the next page. */
const MESSAGE_PAGES_PER_EXPORT_PAGE = 10;

interface Position {
  /** The thread this page starts at (its messages from `link` on, or from the newest). */
  threadId: string;
  /** A signed continuation of that thread's message list (ContinuationCodec). */
  link?: string;
}

/**
 * The caller's data, as the API shows it to them: their profile and settings, and for each thread they are in (their
 * inbox), how far they read and the messages they sent there (listed as themselves: ACS decides what they see).
 */
export class ExportService {
  constructor(
    private readonly chat: ChatDependencies,
    private readonly identity: IdentityService,
    private readonly inboxes: InboxRepository,
    private readonly notifications: NotificationSettingsService | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async page(scope: CallScope, continuationToken?: string): Promise<ExportPage> {
    const { caller } = scope;
    const position = continuationToken ? decode(continuationToken) : undefined;
    const acsUserId = await this.identity.findAcsUserId(caller.userId);
    const head: ExportPage = {
      exportedOn: new Date(this.now()).toISOString(),
      threads: [],
      ...(position
        ? {}
        : {
            user: {
              userId: caller.userId,
              ...(acsUserId ? { acsUserId } : {}),
              ...(caller.displayName ? { displayName: caller.displayName } : {}),
            },
            ...(this.notifications ? { notifications: await this.notifications.get(caller) } : {}),
          }),
    };
    if (!acsUserId) return head;
    const rows = (await this.inboxes.list(acsUserId)).sort((a, b) => a.threadId.localeCompare(b.threadId));
    // Where this page starts: the thread the token names, or the next one if the caller has left it since.
    const index = position ? rows.findIndex((row) => row.threadId >= position.threadId) : 0;
    const row = rows[index];
    if (!row) return head;
    const scopeOfList = { list: 'messages' as const, threadId: row.threadId, userId: caller.userId };
    const link = position?.threadId === row.threadId ? position.link : undefined;
    let nextLink = link ? await this.chat.paging.decode(scopeOfList, link) : undefined;
    const own: ChatMessage[] = [];
    for (let pages = 0; pages < MESSAGE_PAGES_PER_EXPORT_PAGE; pages += 1) {
      const page = await this.chat.acs
        .asUser(acsUserId, (client) =>
          onePage(client.getChatThreadClient(row.threadId).listMessages({ maxPageSize: 200 }), nextLink),
        )
        .catch(rethrowAs(fromThreadCall));
      own.push(...page.items.filter((message) => rawId(message.sender) === acsUserId && !message.deletedOn));
      nextLink = page.nextLink;
      if (!nextLink) break;
    }
    const lookup = await this.chat.people.lookup(own.flatMap(identifiersIn), scope.context);
    const state = await this.inboxes.get(acsUserId, row.threadId);
    const continuesThread = nextLink ? await this.chat.paging.encode(scopeOfList, nextLink) : undefined;
    const following = rows[index + 1];
    const next: Position | undefined = continuesThread
      ? { threadId: row.threadId, link: continuesThread }
      : following
        ? { threadId: following.threadId }
        : undefined;
    return {
      ...head,
      threads: [
        {
          threadId: row.threadId,
          topic: row.topic,
          ...(state?.readUpTo ? { readUpTo: state.readUpTo } : {}),
          unreadCount: state ? unreadCount(state) : row.unreadCount,
          messages: own.map((message) => messageView(message, lookup)),
        },
      ],
      ...(next ? { continuationToken: encode(next) } : {}),
    };
  }
}

function encode(position: Position): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The thread link inside is signed (ContinuationCodec); the thread id only says where in the caller's own list. */
function decode(token: string): Position {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      threadId?: unknown;
      link?: unknown;
    };
    if (typeof parsed.threadId === 'string' && (parsed.link === undefined || typeof parsed.link === 'string'))
      return { threadId: parsed.threadId, ...(typeof parsed.link === 'string' ? { link: parsed.link } : {}) };
  } catch {
    // falls through
  }
  throw new ValidationError(
    'The continuation token is not one this export issued.',
    undefined,
    'InvalidContinuationToken',
  );
}
