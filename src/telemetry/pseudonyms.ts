import { createHmac } from 'node:crypto';

import { LruCache } from '../lru';

/**
 * What telemetry may say about people and threads. By default (TELEMETRY_INCLUDE_USER_IDS off) an app user id or a
 * thread id appears only as a pseudonym: an HMAC under a per-deployment key kept in Tables, so the same user or thread
 * has the same pseudonym on every instance (a trace can be followed) while the id cannot be recovered from telemetry,
 * not even by guessing ids (a plain hash of an email-like user id could be). Until the key is loaded, nothing is said.
 */
/** App user ids, ACS user ids (raw identifiers) and thread ids each get pseudonyms of their own kind. */
export type PseudonymKind = 'user' | 'acsUser' | 'thread';

export class Pseudonyms {
  private key: Buffer | undefined;
  /** Pseudonyms already computed (an HMAC per span would show in the request's CPU time). */
  private readonly known = new LruCache<string, string>(10_000);

  constructor(private includeIds = false) {}

  configure(includeIds: boolean): void {
    this.includeIds = includeIds;
  }

  useKey(key: Buffer): void {
    this.key = key;
    this.known.clear();
  }

  /** The attribute value for an id, or undefined when nothing may be said yet. */
  of(kind: PseudonymKind, id: string): string | undefined {
    if (this.includeIds) return id;
    if (!this.key) return undefined;
    const input = `${kind}\u0000${id}`;
    let pseudonym = this.known.get(input);
    if (pseudonym === undefined) {
      const digest = createHmac('sha256', this.key).update(input).digest('base64url');
      pseudonym = `${PREFIX[kind]}-${digest.slice(0, 16)}`;
      this.known.set(input, pseudonym);
    }
    return pseudonym;
  }
}

const PREFIX: Record<PseudonymKind, string> = { user: 'u', acsUser: 'a', thread: 't' };

/** The process's pseudonyms: configured from settings at start, keyed when the services are built. */
export const pseudonyms = new Pseudonyms();
