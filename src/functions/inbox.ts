import type { ServicesProvider } from '../composition';
import { authenticatedHandler } from '../http/authenticated';
import { ok } from '../http/handler';
import { queryParams } from '../http/request-parts';
import { inboxQuery } from '../inbox/inbox-schemas';
import type { FunctionDefinition } from './definition';

export function inboxFunctions(services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'http',
      name: 'listInbox',
      methods: ['GET'],
      route: 'inbox',
      doc: {
        summary: "The caller's threads, newest activity first, with unread counts and the last message (no ACS call)",
        query: inboxQuery,
        responses: { 200: 'A page of inbox entries', 400: 'Invalid query' },
      },
      handler: authenticatedHandler(services, async ({ request, caller, services: { inbox } }) =>
        ok(await inbox.list(caller.userId, queryParams(request, inboxQuery))),
      ),
    },
    {
      kind: 'http',
      name: 'getUnreadBadge',
      methods: ['GET'],
      route: 'inbox/unread',
      doc: {
        summary: "Unread messages over the caller's threads, and how many threads have any (one Tables query)",
        responses: { 200: '{"unreadCount","threadsWithUnread"}' },
      },
      handler: authenticatedHandler(services, async ({ caller, services: { inbox } }) =>
        ok(await inbox.unread(caller.userId)),
      ),
    },
  ];
}
