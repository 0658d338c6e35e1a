import type { ServicesProvider } from '../composition';
import { ForbiddenError } from '../errors';
import { authenticatedHandler } from '../http/authenticated';
import { readJsonBody } from '../http/body';
import { noContent, ok } from '../http/handler';
import { type IssuedTokenResponse, issuedTokenResponse, issueTokenBody } from '../identity/token-schemas';
import type { FunctionDefinition } from './definition';

/** POST /api/token issues an ACS token for the caller's own identity; DELETE /api/token revokes them all. */
export function tokenFunctions(services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'http',
      name: 'issueToken',
      methods: ['POST'],
      route: 'token',
      doc: {
        summary: "Issue an ACS user access token for the caller's own identity",
        body: issueTokenBody,
        responses: {
          200: 'The token, its scopes and the ACS endpoint',
          400: 'Invalid body',
          403: 'A requested scope is not allowed',
        },
        responseBodies: { 200: issuedTokenResponse },
      },
      handler: authenticatedHandler(
        services,
        async ({
          request,
          caller,
          services: { identity, config, acsEndpoint, bans, notificationSettings },
          context,
        }) => {
          const body = await readJsonBody(request, issueTokenBody, { maxBytes: 4096, optional: true });
          const scopes = [...new Set(body.scopes ?? config.userTokens.defaultScopes)];
          const refused = scopes.filter((scope) => !config.userTokens.allowedScopes.includes(scope));
          if (refused.length > 0)
            throw new ForbiddenError(`Scope not allowed: ${refused.join(', ')}.`, 'ScopeNotAllowed');
          // A fresh read, not the instance's snapshot: a token issued now would outlive the snapshot's delay.
          await bans.assertNotBannedNow(caller.userId);
          // Sign-in: the address away emails go to, unless the user set another (a write only when it changed).
          await notificationSettings?.noteSignIn(caller);
          const issued = await identity.issueToken(
            caller.userId,
            { scopes, expiresInMinutes: body.expiresInMinutes ?? config.userTokens.defaultMinutes },
            context,
          );
          const response: IssuedTokenResponse = {
            userId: caller.userId,
            acsUserId: issued.acsUserId,
            token: issued.token,
            expiresOn: issued.expiresOn.toISOString(),
            scopes,
            endpoint: acsEndpoint,
          };
          return { ...ok(response), headers: { 'Cache-Control': 'no-store' } };
        },
      ),
    },
    {
      kind: 'http',
      name: 'revokeTokens',
      methods: ['DELETE'],
      route: 'token',
      doc: { summary: "Revoke all the caller's ACS tokens", responses: { 204: 'Revoked' } },
      handler: authenticatedHandler(services, async ({ caller, services: { identity } }) => {
        await identity.revokeTokens(caller.userId);
        return noContent();
      }),
    },
  ];
}
