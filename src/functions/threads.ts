import { createThreadBody, pageQuery, threadPath, updateThreadBody } from '../chat/schemas';
import { createdThreadSchema, threadSchema, threadSummaryPage } from '../chat/views';
import type { ServicesProvider } from '../composition';
import { authenticatedHandler } from '../http/authenticated';
import { readJsonBody } from '../http/body';
import { created, noContent, ok } from '../http/handler';
import { idempotencyKeyHeader, pathParams, queryParams } from '../http/request-parts';
import type { FunctionDefinition } from './definition';

export function threadFunctions(services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'http',
      name: 'createThread',
      methods: ['POST'],
      route: 'threads',
      doc: {
        summary: 'Create a thread; the caller becomes its owner (optional Idempotency-Key header)',
        body: createThreadBody,
        responses: {
          201: 'The thread and any participants ACS refused (for a retry with the same Idempotency-Key: the same thread)',
          400: 'Invalid body, or more participants than ACS takes (TooManyParticipants)',
          404: 'A retry with the same Idempotency-Key after its thread was deleted',
          422: 'Idempotency-Key already used with another request (IdempotencyKeyReused)',
          429: 'ACS throttles the caller, or their hourly fair use is spent (FairUseExceeded)',
        },
        responseBodies: { 201: createdThreadSchema },
        idempotencyKey: true,
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { threads } }) => {
        const key = idempotencyKeyHeader(request);
        const body = await readJsonBody(request, createThreadBody);
        const result = await threads.create({ caller, context }, body, key);
        return created(result, `/api/threads/${encodeURIComponent(result.thread.id)}`);
      }),
    },
    {
      kind: 'http',
      name: 'listThreads',
      methods: ['GET'],
      route: 'threads',
      doc: {
        summary: "The caller's live threads",
        query: pageQuery,
        responses: { 200: 'A page of thread summaries' },
        responseBodies: { 200: threadSummaryPage },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { threads } }) =>
        ok(await threads.list({ caller, context }, queryParams(request, pageQuery))),
      ),
    },
    {
      kind: 'http',
      name: 'getThread',
      methods: ['GET'],
      route: 'threads/{threadId}',
      doc: {
        summary: 'Get a thread',
        responses: { 200: 'The thread', 404: 'No such thread, or not a participant' },
        responseBodies: { 200: threadSchema },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { threads } }) =>
        ok(await threads.get({ caller, context }, pathParams(request, threadPath).threadId)),
      ),
    },
    {
      kind: 'http',
      name: 'updateThread',
      methods: ['PATCH'],
      route: 'threads/{threadId}',
      doc: {
        summary: 'Change the topic or metadata (owner)',
        body: updateThreadBody,
        responses: { 200: 'The thread', 403: 'Not the owner', 404: 'No such thread, or not a participant' },
        responseBodies: { 200: threadSchema },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { threads } }) => {
        const { threadId } = pathParams(request, threadPath);
        const body = await readJsonBody(request, updateThreadBody);
        return ok(await threads.update({ caller, context }, threadId, body));
      }),
    },
    {
      kind: 'http',
      name: 'deleteThread',
      methods: ['DELETE'],
      route: 'threads/{threadId}',
      doc: {
        summary: 'Delete a thread (owner or admin)',
        responses: { 204: 'Deleted', 403: 'Not the owner', 404: 'No such thread, or not a participant' },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { threads } }) => {
        await threads.delete({ caller, context }, pathParams(request, threadPath).threadId);
        return noContent();
      }),
    },
  ];
}
