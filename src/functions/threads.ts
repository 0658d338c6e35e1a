import type { ServicesProvider } from '../composition';
import { createThreadBody, pageQuery, threadPath, updateThreadBody } from '../chat/schemas';
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
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { threads } }) =>
        ok(await threads.list({ caller, context }, queryParams(request, pageQuery))),
      ),
    },
    {
      kind: 'http',
      name: 'getThread',
      methods: ['GET'],
      route: 'threads/{threadId}',
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { threads } }) =>
        ok(await threads.get({ caller, context }, pathParams(request, threadPath).threadId)),
      ),
    },
    {
      kind: 'http',
      name: 'updateThread',
      methods: ['PATCH'],
      route: 'threads/{threadId}',
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
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { threads } }) => {
        await threads.delete({ caller, context }, pathParams(request, threadPath).threadId);
        return noContent();
      }),
    },
  ];
}
