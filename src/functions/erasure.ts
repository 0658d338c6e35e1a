import type { InvocationContext } from '@azure/functions';

import type { ServicesProvider } from '../composition';
import type { Services } from '../composition';
import { erasureQuery, erasureStartedSchema, erasureUserPath, erasureViewSchema } from '../erasure/erasure-schemas';
import { ForbiddenError, NotFoundError } from '../errors';
import type { Caller } from '../http/authenticate';
import { authenticatedHandler } from '../http/authenticated';
import { ok } from '../http/handler';
import { pathParams, queryParams } from '../http/request-parts';
import { describeError } from '../logging';
import type { FunctionDefinition } from './definition';

/** ACS calls the request itself may make to start the work; the timer does the rest. */
const FIRST_RUN_ACS_CALLS = 10;

/**
 * Erasure of a user (README "Erasure"): `DELETE /api/me`, `DELETE /api/users/{userId}` (admin), both 202 with the
 * erasure's id, then `GET /api/users/{userId}/erasure`; the `continueErasures` timer (every minute) does the work.
 */
export function erasureFunctions(services: ServicesProvider): FunctionDefinition[] {
  const responses = {
    202: 'Erasure recorded (or already running: the same erasureId); GET …/erasure shows its progress',
  };
  return [
    {
      kind: 'http',
      name: 'eraseMe',
      methods: ['DELETE'],
      route: 'me',
      doc: {
        summary:
          'Erase the caller: their threads left (or deleted, or handed to the backend), identity, tokens and records ' +
          '(deleteMessages=true: their messages first)',
        query: erasureQuery,
        responses,
        responseBodies: { 202: erasureStartedSchema },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: resolved }) => {
        const query = queryParams(request, erasureQuery);
        return start(resolved, caller.userId, 'self', query.deleteMessages === 'true', context);
      }),
    },
    {
      kind: 'http',
      name: 'eraseUser',
      methods: ['DELETE'],
      route: 'users/{userId}',
      doc: {
        summary: 'Erase a user (admin), as DELETE /api/me does for oneself',
        query: erasureQuery,
        responses: { ...responses, 403: 'Not an admin' },
        responseBodies: { 202: erasureStartedSchema },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: resolved }) => {
        requireAdmin(caller);
        const { userId } = pathParams(request, erasureUserPath);
        const query = queryParams(request, erasureQuery);
        return start(resolved, userId, 'admin', query.deleteMessages === 'true', context);
      }),
    },
    {
      kind: 'http',
      name: 'getErasure',
      methods: ['GET'],
      route: 'users/{userId}/erasure',
      doc: {
        summary:
          "A user's erasure: steps done and pending, counts, when it finished (the user themselves, or an admin)",
        responses: { 200: 'The erasure', 403: 'Neither that user nor an admin', 404: 'No erasure of that user' },
        responseBodies: { 200: erasureViewSchema },
      },
      handler: authenticatedHandler(
        services,
        async ({ request, caller, services: { erasure, bans } }) => {
          const { userId } = pathParams(request, erasureUserPath);
          if (userId !== caller.userId) {
            // Only their own erasure may be read by someone shut out (their erasure runs, or a moderator banned them).
            await bans.assertNotBanned(caller.userId);
            requireAdmin(caller);
          }
          const found = await erasure.status(userId);
          if (!found) throw new NotFoundError('No erasure of that user.');
          return { ...ok(found), headers: { 'Cache-Control': 'no-store' } };
        },
        { evenIfBanned: true },
      ),
    },
    {
      kind: 'timer',
      name: 'continueErasures',
      schedule: '0 */1 * * * *',
      handler: async (_timer, context) => {
        const { erasure } = await services();
        const result = await erasure.continueAll(context);
        if (result.worked > 0) context.log('erasures continued', result);
      },
    },
  ];
}

function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw new ForbiddenError('Only an admin may erase another user.', 'AdminRoleRequired');
}

async function start(
  services: Services,
  userId: string,
  requestedBy: 'self' | 'admin',
  deleteMessages: boolean,
  context: InvocationContext,
): Promise<{ status: number; jsonBody: unknown }> {
  const { erasureId, userHash } = await services.erasure.request(userId, { requestedBy, deleteMessages });
  context.log('erasure requested', { erasureId, requestedBy });
  // A first short run; the timer finishes it, whatever happens here.
  await services.erasure
    .continueOne(userHash, context, FIRST_RUN_ACS_CALLS)
    .catch((error: unknown) => context.warn('first erasure run stopped', { error: describeError(error) }));
  return { status: 202, jsonBody: { erasureId } };
}
