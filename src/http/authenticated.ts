import type { HttpHandler, HttpResponseInit } from '@azure/functions';

import type { Services, ServicesProvider } from '../composition';
import { noteUser } from '../telemetry/span-notes';
import type { Caller } from './authenticate';
import { httpHandler, type RequestScope } from './handler';

export interface AuthenticatedScope extends RequestScope {
  caller: Caller;
  services: Services;
}

/**
 * Every endpoint but health goes through here: no valid bearer token, no handler; a banned caller gets 403 UserBanned
 * (from the instance's ban snapshot: no Tables call on a warm instance). There is no switch to turn authentication
 * off; `evenIfBanned` only lets a banned caller read about themselves (the progress of their own erasure).
 */
export function authenticatedHandler(
  services: ServicesProvider,
  handle: (scope: AuthenticatedScope) => Promise<HttpResponseInit>,
  options: { evenIfBanned?: boolean } = {},
): HttpHandler {
  return httpHandler(async (scope) => {
    const resolved = await services();
    const caller = await resolved.authenticate(scope.request.headers.get('authorization'));
    noteUser(caller.userId);
    if (!options.evenIfBanned) await resolved.bans.assertNotBanned(caller.userId);
    return handle({ ...scope, caller, services: resolved });
  });
}
