import type { HttpHandler, HttpResponseInit } from '@azure/functions';

import type { Services, ServicesProvider } from '../composition';
import type { Caller } from './authenticate';
import { httpHandler, type RequestScope } from './handler';

export interface AuthenticatedScope extends RequestScope {
  caller: Caller;
  services: Services;
}

/**
 * Every endpoint but health goes through here: no valid bearer token, no handler; a banned caller gets 403 UserBanned
 * (from the instance's ban snapshot: no Tables call on a warm instance). There is no switch to turn it off.
 */
export function authenticatedHandler(
  services: ServicesProvider,
  handle: (scope: AuthenticatedScope) => Promise<HttpResponseInit>,
): HttpHandler {
  return httpHandler(async (scope) => {
    const resolved = await services();
    const caller = await resolved.authenticate(scope.request.headers.get('authorization'));
    await resolved.bans.assertNotBanned(caller.userId);
    return handle({ ...scope, caller, services: resolved });
  });
}
