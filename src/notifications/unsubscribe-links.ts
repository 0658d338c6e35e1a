import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long an unsubscribe link works (RFC 8058 asks that it keep working for a reasonable time after sending). */
export const UNSUBSCRIBE_LINK_DAYS = 60;

/**
 * Signed, expiring unsubscribe tokens: `<user id, base64url>.<expiry ms>.<HMAC>` under a key kept in Tables. A token
 * names exactly one user, so a link can unsubscribe only the person it was sent to; it needs no sign-in.
 */
export class UnsubscribeLinks {
  constructor(
    private readonly key: () => Promise<Buffer>,
    private readonly now: () => number = Date.now,
  ) {}

  async tokenFor(userId: string): Promise<string> {
    const body = `${Buffer.from(userId).toString('base64url')}.${this.now() + UNSUBSCRIBE_LINK_DAYS * 86_400_000}`;
    return `${body}.${await this.sign(body)}`;
  }

  /** The user a token names, or undefined when it is forged, malformed or expired. */
  async userOf(token: string): Promise<string | undefined> {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [user, expiry, mac] = parts as [string, string, string];
    const expected = Buffer.from(await this.sign(`${user}.${expiry}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (!/^\d+$/.test(expiry) || Number(expiry) < this.now()) return undefined;
    return Buffer.from(user, 'base64url').toString('utf8');
  }

  private async sign(body: string): Promise<string> {
    return createHmac('sha256', await this.key())
      .update(`unsubscribe\n${body}`)
      .digest('base64url');
  }
}
