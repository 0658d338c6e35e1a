import * as z from 'zod';

import type { ServicesProvider } from '../composition';
import { authenticatedHandler } from '../http/authenticated';
import { httpHandler, ok } from '../http/handler';
import { memoize } from '../memo';
import { liveUpdateJsonSchema, negotiatedSchema } from '../realtime/live-update-schemas';
import type { FunctionDefinition } from './definition';

const jsonSchemaDocument = z.looseObject({ $schema: z.string() }).meta({ id: 'LiveUpdateJsonSchema' });

/** Live updates: a receive-only Web PubSub URL for the caller, and the schema of what arrives on it. */
export function realtimeFunctions(services: ServicesProvider): FunctionDefinition[] {
  const schema = memoize(liveUpdateJsonSchema);
  return [
    {
      kind: 'http',
      name: 'negotiateLiveUpdates',
      methods: ['POST'],
      route: 'realtime/negotiate',
      doc: {
        summary:
          "A receive-only Web PubSub client URL for the caller's live updates (LiveUpdate messages; valid up to 60 min)",
        responses: {
          200: 'The client URL and when it stops being accepted for new connections',
          503: 'Live updates are unavailable (not configured, or Web PubSub is down): poll the API meanwhile',
        },
        responseBodies: { 200: negotiatedSchema },
      },
      handler: authenticatedHandler(services, async ({ caller, services: { live } }) =>
        ok(await live.negotiate(caller.userId)),
      ),
    },
    {
      kind: 'http',
      name: 'liveUpdateSchema',
      methods: ['GET'],
      route: 'live-updates.schema.json',
      doc: {
        summary: 'The JSON Schema (2020-12) of every live update pushed to clients (also LiveUpdate in this document)',
        anonymous: true,
        responses: { 200: 'The schema' },
        responseBodies: { 200: jsonSchemaDocument },
      },
      handler: httpHandler(async () => ({ ...ok(schema()), headers: { 'Cache-Control': 'public, max-age=300' } })),
    },
  ];
}
