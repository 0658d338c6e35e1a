import { createHmac } from 'node:crypto';

import { LruCache } from '../lru';

/** App user ids, ACS user ids (raw identifiers) and thread ids each get pseudonyms of their own kind. */
export type PseudonymKind = 'user' | 'acsUser' | 'thread';

/**
 * What telemetry may say about people and threads. By default (TELEMETRY_INCLUDE_USER_IDS off) an app user id or a
 * thread id appears only as a pseudonym: an HMAC under a per-deployment key kept in Tables, so the same user or thread
 * has the same pseudonym on every instance (a trace can be followed) while the id cannot be recovered from telemetry,
 * not even by guessing ids (a plain hash of an email-like user id could be). The key is read when a span first needs
 * a pseudonym (never while no telemetry is recorded); until it has been read, nothing is said.
 */

export class Pseudonyms {
  private key: Buffer | undefined;
  private loadKey: (() => Promise<Buffer>) | undefined;
  private loading: Promise<void> | undefined;
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

  /** Where the key comes from: read on first need, read again after a failed read. */
  keyFrom(load: () => Promise<Buffer>): void {
    this.key = undefined;
    this.known.clear();
    this.loadKey = load;
  }

  /** The attribute value for an id, or undefined when nothing may be said yet. */
  of(kind: PseudonymKind, id: string): string | undefined {
    if (this.includeIds) return id;
    if (!this.key) {
      this.startLoading();
      return undefined;
    }
    const input = `${kind}\u0000${id}`;
    let pseudonym = this.known.get(input);
    if (pseudonym === undefined) {
      const digest = createHmac('sha256', this.key).update(input).digest('base64url');
      pseudonym = `${PREFIX[kind]}-${digest.slice(0, 16)}`;
      this.known.set(input, pseudonym);
    }
    return pseudonym;
  }

  private startLoading(): void {
    const load = this.loadKey;
    if (this.loading || !load) return;
    this.loading = load()
      .then(
        (key) => this.useKey(key),
        () => undefined,
      )
      .finally(() => (this.loading = undefined));
  }
}

const PREFIX: Record<PseudonymKind, string> = { user: 'u', acsUser: 'a', thread: 't' };

/** The process's pseudonyms: configured, and told where their key is, when the services are built. */
export const pseudonyms = new Pseudonyms();
