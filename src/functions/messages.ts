import {
  listMessagesQuery,
  messagePath,
  pageQuery,
  readReceiptBody,
  sendMessageBody,
  threadPath,
  typingBody,
  updateMessageBody,
} from '../chat/schemas';
import { messagePage, messageSchema, readReceiptPage, sentMessageSchema } from '../chat/views';
import type { ServicesProvider } from '../composition';
import { authenticatedHandler } from '../http/authenticated';
import { readJsonBody } from '../http/body';
import { created, noContent, ok } from '../http/handler';
import { idempotencyKeyHeader, pathParams, queryParams } from '../http/request-parts';
import type { FunctionDefinition } from './definition';

export function messageFunctions(services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'http',
      name: 'sendMessage',
      methods: ['POST'],
      route: 'threads/{threadId}/messages',
      doc: {
        summary: 'Send a message as the caller (optional Idempotency-Key header: a retry never posts twice)',
        body: sendMessageBody,
        responses: {
          201: 'The new message id (for a retry with the same Idempotency-Key: the first message)',
          404: 'No such thread, or not a participant',
          413: 'Body too large',
          422: 'Idempotency-Key already used with another request (IdempotencyKeyReused)',
        },
        responseBodies: { 201: sentMessageSchema },
        idempotencyKey: true,
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { messages } }) => {
        const { threadId } = pathParams(request, threadPath);
        const key = idempotencyKeyHeader(request);
        const body = await readJsonBody(request, sendMessageBody);
        return created(await messages.send({ caller, context }, threadId, body, key));
      }),
    },
    {
      kind: 'http',
      name: 'listMessages',
      methods: ['GET'],
      route: 'threads/{threadId}/messages',
      doc: {
        summary: 'List messages, newest first',
        query: listMessagesQuery,
        responses: { 200: 'A page of messages', 404: 'No such thread, or not a participant' },
        responseBodies: { 200: messagePage },
      },
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
      doc: {
        summary: 'Get a message',
        responses: { 200: 'The message', 404: 'No such message or thread' },
        responseBodies: { 200: messageSchema },
      },
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
      doc: {
        summary: 'Edit a message (sender)',
        body: updateMessageBody,
        responses: { 200: 'The message', 403: 'Not the sender', 404: 'No such message or thread' },
        responseBodies: { 200: messageSchema },
      },
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
      doc: {
        summary: 'Delete a message (sender or thread owner)',
        responses: { 204: 'Deleted', 403: 'Neither sender nor owner', 404: 'No such message or thread' },
      },
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
      doc: {
        summary: "Mark a message as read; the caller's inbox entry is read up to it",
        body: readReceiptBody,
        responses: { 204: 'Recorded', 404: 'No such thread, or not a participant' },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services }) => {
        const { threadId } = pathParams(request, threadPath);
        const { messageId } = await readJsonBody(request, readReceiptBody);
        const acsUserId = await services.messages.sendReadReceipt({ caller, context }, threadId, messageId);
        const entry = await services.inbox.markRead(caller.userId, threadId, messageId);
        await services.live.readReceipt({ userId: caller.userId, acsUserId }, threadId, messageId, entry, context);
        return noContent();
      }),
    },
    {
      kind: 'http',
      name: 'listReadReceipts',
      methods: ['GET'],
      route: 'threads/{threadId}/read-receipts',
      doc: {
        summary: 'List read receipts',
        query: pageQuery,
        responses: { 200: 'A page of read receipts', 404: 'No such thread, or not a participant' },
        responseBodies: { 200: readReceiptPage },
      },
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
      doc: {
        summary: 'Send a typing notification',
        body: typingBody,
        responses: { 204: 'Sent', 404: 'No such thread, or not a participant' },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { messages, live } }) => {
        const { threadId } = pathParams(request, threadPath);
        const body = await readJsonBody(request, typingBody, { optional: true, maxBytes: 1024 });
        const sent = await messages.sendTyping({ caller, context }, threadId, body.senderDisplayName);
        await live.typing({ userId: caller.userId, acsUserId: sent.acsUserId }, threadId, sent.displayName, context);
        return noContent();
      }),
    },
  ];
}
