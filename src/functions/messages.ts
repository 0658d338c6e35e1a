import type { ServicesProvider } from '../composition';
import { listMessagesQuery, messagePath, pageQuery, readReceiptBody, sendMessageBody, threadPath, typingBody, updateMessageBody } from '../chat/schemas';
import { authenticatedHandler } from '../http/authenticated';
import { readJsonBody } from '../http/body';
import { created, noContent, ok } from '../http/handler';
import { pathParams, queryParams } from '../http/request-parts';
import type { FunctionDefinition } from './definition';

export function messageFunctions(services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'http',
      name: 'sendMessage',
      methods: ['POST'],
      route: 'threads/{threadId}/messages',
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { messages } }) => {
        const { threadId } = pathParams(request, threadPath);
        const body = await readJsonBody(request, sendMessageBody);
        return created(await messages.send({ caller, context }, threadId, body));
      }),
    },
    {
      kind: 'http',
      name: 'listMessages',
      methods: ['GET'],
      route: 'threads/{threadId}/messages',
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { messages } }) => {
        const { threadId } = pathParams(request, threadPath);
        return ok(await messages.list({ caller, context }, threadId, queryParams(request, listMessagesQuery)));
      }),
    },
    {
      kind: 'http',
      name: 'getMessage',
      methods: ['GET'],
      route: 'threads/{threadId}/messages/{messageId}',
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { messages } }) => {
        const { threadId, messageId } = pathParams(request, messagePath);
        return ok(await messages.get({ caller, context }, threadId, messageId));
      }),
    },
    {
      kind: 'http',
      name: 'updateMessage',
      methods: ['PATCH'],
      route: 'threads/{threadId}/messages/{messageId}',
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { messages } }) => {
        const { threadId, messageId } = pathParams(request, messagePath);
        const body = await readJsonBody(request, updateMessageBody);
        return ok(await messages.update({ caller, context }, threadId, messageId, body));
      }),
    },
    {
      kind: 'http',
      name: 'deleteMessage',
      methods: ['DELETE'],
      route: 'threads/{threadId}/messages/{messageId}',
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { messages } }) => {
        const { threadId, messageId } = pathParams(request, messagePath);
        await messages.delete({ caller, context }, threadId, messageId);
        return noContent();
      }),
    },
    {
      kind: 'http',
      name: 'sendReadReceipt',
      methods: ['POST'],
      route: 'threads/{threadId}/read-receipts',
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { messages } }) => {
        const { threadId } = pathParams(request, threadPath);
        const { messageId } = await readJsonBody(request, readReceiptBody);
        await messages.sendReadReceipt({ caller, context }, threadId, messageId);
        return noContent();
      }),
    },
    {
      kind: 'http',
      name: 'listReadReceipts',
      methods: ['GET'],
      route: 'threads/{threadId}/read-receipts',
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { messages } }) => {
        const { threadId } = pathParams(request, threadPath);
        return ok(await messages.listReadReceipts({ caller, context }, threadId, queryParams(request, pageQuery)));
      }),
    },
    {
      kind: 'http',
      name: 'sendTyping',
      methods: ['POST'],
      route: 'threads/{threadId}/typing',
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { messages } }) => {
        const { threadId } = pathParams(request, threadPath);
        const body = await readJsonBody(request, typingBody, { optional: true, maxBytes: 1024 });
        await messages.sendTyping({ caller, context }, threadId, body.senderDisplayName);
        return noContent();
      }),
    },
  ];
}
