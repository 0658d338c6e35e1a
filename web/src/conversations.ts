import { type ChatClient, pages } from '../../client';

/** The left-hand list: the caller's inbox (`GET /api/inbox`), newest activity first, with unread counts. */
export interface Conversation {
  threadId: string;
  topic: string;
  lastActivityOn?: string;
  unread?: number;
  preview?: string;
}

export async function listConversations(client: ChatClient): Promise<Conversation[]> {
  const conversations: Conversation[] = [];
  for await (const page of pages((continuationToken) =>
    client.api.GET('/inbox', { params: { query: continuationToken ? { continuationToken } : {} } }),
  ))
    for (const entry of page)
      conversations.push({
        threadId: entry.threadId,
        topic: entry.topic,
        lastActivityOn: entry.lastActivityOn,
        unread: entry.unreadCount,
        ...(entry.lastMessage ? { preview: entry.lastMessage.preview } : {}),
      });
  return conversations;
}
