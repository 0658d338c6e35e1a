import { requireHmac } from '../acs/auth';
import type { EmulatorState, RequestContext } from '../acs/context';
import { hmacDenied } from '../acs/errors';
import { entraTokenAccepted } from '../common/entra';

/**
 * The Email API takes what Identity takes, on the same resource: the access key (HMAC-SHA256, as the SDKs sign with a
 * connection string or key credential), or a Microsoft Entra token, which the SDKs request for
 * `https://communication.azure.com//.default` (communication-common's createCommunicationAuthPolicy). Entra tokens
 * are accepted as common/entra.ts says (signature not checked), against the real clock: their expiry comes from
 * Entra, not from the emulator clock. ACS user tokens (the chat ones) are not Entra tokens and are refused.
 */

export const COMMUNICATION_AUDIENCE = 'https://communication.azure.com';

export function requireEmailAuth(ctx: RequestContext, st: EmulatorState): void {
  const authorization = ctx.headers.authorization;
  if (authorization && /^bearer /i.test(authorization)) {
    if (entraTokenAccepted(authorization.slice(7).trim(), [COMMUNICATION_AUDIENCE], Date.now())) return;
    throw hmacDenied(`The bearer token is not a Microsoft Entra token for ${COMMUNICATION_AUDIENCE}.`);
  }
  requireHmac(ctx, st);
}
