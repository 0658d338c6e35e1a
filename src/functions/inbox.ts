import type { ServicesProvider } from '../composition';
import { ForbiddenError } from '../errors';
import { authenticatedHandler } from '../http/authenticated';
import { readJsonBody } from '../http/body';
import { ok } from '../http/handler';
import { queryParams } from '../http/request-parts';
import {
  backfillRequestBody,
  backfillSummarySchema,
  inboxPage,
  inboxQuery,
  unreadBadgeSchema,
} from '../inbox/inbox-schemas';

const BACKFILL_BUDGET_MS = 60 * 1000;
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
        responseBodies: { 200: inboxPage },
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
        responses: { 200: 'The unread badge' },
        responseBodies: { 200: unreadBadgeSchema },
      },
      handler: authenticatedHandler(services, async ({ caller, services: { inbox } }) =>
        ok(await inbox.unread(caller.userId)),
      ),
    },
    {
      kind: 'http',
      name: 'backfillInboxes',
      methods: ['POST'],
      route: 'maintenance/inbox-backfill',
      doc: {
        summary: 'Build inbox entries for threads that existed before inboxes (admin; idempotent, run until complete)',
        body: backfillRequestBody,
        responses: { 200: 'What the run did', 403: 'Not an admin' },
        responseBodies: { 200: backfillSummarySchema },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { inboxBackfill } }) => {
        if (!caller.isAdmin) throw new ForbiddenError('Only an admin may backfill inboxes.', 'AdminRoleRequired');
        const body = await readJsonBody(request, backfillRequestBody, { maxBytes: 1024, optional: true });
        const budgetMs = body.budgetSeconds !== undefined ? body.budgetSeconds * 1000 : BACKFILL_BUDGET_MS;
        return { ...ok(await inboxBackfill.run({ budgetMs, context })), headers: { 'Cache-Control': 'no-store' } };
      }),
    },
  ];
}
