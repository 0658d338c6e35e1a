import { type ChatClient, pages } from '../../client';

/**
 * The left-hand list. Today the caller's threads (`GET /api/threads`); once the inbox (`GET /api/inbox`, newest
 * first with unread counts and the last message) is in the API, only this module changes.
 */
export interface Conversation {
  threadId: string;
  topic: string;
  lastActivityOn?: string;
  unread?: number;
}

export async function listConversations(client: ChatClient): Promise<Conversation[]> {
  const conversations: Conversation[] = [];
  for await (const page of pages((continuationToken) =>
    client.api.GET('/threads', { params: { query: continuationToken ? { continuationToken } : {} } }),
  ))
    for (const thread of page)
      conversations.push({
        threadId: thread.id,
        topic: thread.topic,
        ...(thread.lastMessageReceivedOn ? { lastActivityOn: thread.lastMessageReceivedOn } : {}),
      });
  return conversations.sort((a, b) => (b.lastActivityOn ?? '').localeCompare(a.lastActivityOn ?? ''));
}
