import { addParticipantsBody, pageQuery, participantPath, threadPath } from '../chat/schemas';
import { addParticipantsResultSchema, participantPage } from '../chat/views';
import type { ServicesProvider } from '../composition';
import { authenticatedHandler } from '../http/authenticated';
import { readJsonBody } from '../http/body';
import { noContent, ok } from '../http/handler';
import { pathParams, queryParams } from '../http/request-parts';
import type { FunctionDefinition } from './definition';

export function participantFunctions(services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'http',
      name: 'listParticipants',
      methods: ['GET'],
      route: 'threads/{threadId}/participants',
      doc: {
        summary: 'List participants',
        query: pageQuery,
        responses: { 200: 'A page of participants', 404: 'No such thread, or not a participant' },
        responseBodies: { 200: participantPage },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { participants } }) => {
        const { threadId } = pathParams(request, threadPath);
        return ok(await participants.list({ caller, context }, threadId, queryParams(request, pageQuery)));
      }),
    },
    {
      kind: 'http',
      name: 'addParticipants',
      methods: ['POST'],
      route: 'threads/{threadId}/participants',
      doc: {
        summary: 'Add up to 200 participants by user id',
        body: addParticipantsBody,
        responses: { 200: 'Who was added and who failed', 404: 'No such thread, or not a participant' },
        responseBodies: { 200: addParticipantsResultSchema },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { participants } }) => {
        const { threadId } = pathParams(request, threadPath);
        const body = await readJsonBody(request, addParticipantsBody);
        return ok(await participants.add({ caller, context }, threadId, body));
      }),
    },
    {
      kind: 'http',
      name: 'removeParticipant',
      methods: ['DELETE'],
      route: 'threads/{threadId}/participants/{userId}',
      doc: {
        summary: 'Remove a participant (yourself, or anyone as owner or admin)',
        responses: { 204: 'Removed', 403: 'Not allowed', 404: 'No such thread, participant, or not a participant' },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { participants } }) => {
        const { threadId, userId } = pathParams(request, participantPath);
        await participants.remove({ caller, context }, threadId, userId);
        return noContent();
      }),
    },
  ];
}
