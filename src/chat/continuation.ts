import { createHmac, timingSafeEqual } from 'node:crypto';

import { ValidationError } from '../errors';
import { fromUpstream, rethrowAs } from '../upstream-errors';

/**
 * Continuation tokens handed to clients are opaque and signed: `base64url(json).base64url(hmac)`.
 * They carry the path and query of the ACS next-page link and are bound to the list, thread and caller they came
 * from, so a forged or altered token is refused and can never make the backend fetch an arbitrary URL.
 */
interface Payload {
  /** what is listed, e.g. `messages` */
  l: string;
  /** the thread (or '') and the caller it belongs to */
  t: string;
  u: string;
  /** path and query of the ACS next link */
  p: string;
}

export interface PageScope {
  list: 'threads' | 'messages' | 'participants' | 'readReceipts';
  threadId: string;
  userId: string;
}

export class ContinuationCodec {
  constructor(
    private readonly key: () => Promise<Buffer>,
    private readonly acsEndpoint: string,
  ) {}

  async encode(scope: PageScope, nextLink: string | undefined): Promise<string | undefined> {
    if (!nextLink) return undefined;
    const url = new URL(nextLink, this.acsEndpoint);
    const payload: Payload = { l: scope.list, t: scope.threadId, u: scope.userId, p: `${url.pathname}${url.search}` };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${await this.sign(body)}`;
  }

  /** The ACS next link to continue from; a token we did not issue for this list and caller is a 400. */
  async decode(scope: PageScope, token: string): Promise<string> {
    const invalid = new ValidationError(
      'The continuation token is not valid for this list.',
      undefined,
      'InvalidContinuationToken',
    );
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) throw invalid;
    const expected = Buffer.from(await this.sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid;
    let payload: Payload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
    } catch {
      throw invalid;
    }
    if (
      payload.l !== scope.list ||
      payload.t !== scope.threadId ||
      payload.u !== scope.userId ||
      !payload.p.startsWith('/chat/')
    )
      throw invalid;
    const base = new URL(this.acsEndpoint);
    return new URL(payload.p, base.origin).toString();
  }

  private async sign(body: string): Promise<string> {
    // The key is loaded from Tables on first use: a Storage outage then is a 503 with Retry-After, never a 500.
    const key = await this.key().catch(rethrowAs(fromUpstream));
    return createHmac('sha256', key).update(body).digest('base64url');
  }
}
