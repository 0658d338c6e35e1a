import type { TableRole } from './table-clients';

/**
 * Every table the backend writes, in one place: what it holds, whose personal data, and how long each kind of row
 * lives and what deletes it. The README's "Data retention" table is generated from this (test/unit/table-catalogue
 * .test.ts checks both), and a table role without an entry fails that test: a table added later states its retention
 * here.
 */

/** Fixed retention periods the enforceRetention timer applies (configurable ones are settings, see README). */
export const RETENTION = {
  /** Fair-use rows: an hour after the charge, their clock-hour window is over. */
  fairUseMs: 3_600_000,
  /** Idempotency-Key rows: 24 h, as Stripe keeps keys; a retry later than that is a new request. */
  idempotencyKeyMs: 24 * 3_600_000,
  /** Finished after-the-fact checks: Event Grid redelivers for 24 h at most; a week is far past any redelivery. */
  screeningMs: 7 * 86_400_000,
  /** Bans that ended by themselves (`until`): kept a day for the ban snapshot and support, then deleted. */
  endedBanMs: 86_400_000,
  /** Away-email due entries whose user has no settings row, an hour after they were due. */
  unexplainedDueMs: 3_600_000,
  /**
   * Finished erasure records: three years, long enough to answer "was this person erased, when, at whose request" for
   * the limitation periods privacy complaints commonly have; they hold only a keyed hash of the user id.
   */
  erasureRecordMs: 3 * 365 * 86_400_000,
} as const;

export interface RowKind {
  /** The kind of row. */
  kind: string;
  /** How long it lives and what deletes it: a timer, an event, pruning, erasure. */
  lifetime: string;
}

export interface TableEntry {
  /** What the table holds. */
  holds: string;
  /** Whose personal data it holds (user ids, addresses), or "none". */
  personalData: string;
  rows: RowKind[];
}

/**
 * Keyed by table role. `erasures` is the erasure feature's table (issue 26): listed here whether or not its role is in
 * TABLE_ROLES yet, so this compiles either way.
 */
export type CatalogueRole = TableRole | 'erasures';

export const TABLE_CATALOGUE: Record<CatalogueRole, TableEntry> = {
  identities: {
    holds: 'The app user ⇄ ACS identity map, and the service identity.',
    personalData: 'app user id (forward row key, reverse row value) and the ACS user id',
    rows: [
      { kind: 'user mapping (forward and reverse row)', lifetime: 'as long as the user; deleted by erasure' },
      { kind: 'service identity', lifetime: 'for good (no personal data)' },
    ],
  },
  threads: {
    holds: 'One record per thread: owner, creation and last activity.',
    personalData: 'owner app user id and ACS user id',
    rows: [
      {
        kind: 'thread record',
        lifetime:
          'until the thread is deleted (by its owner or an admin) or pruned after THREAD_RETENTION_DAYS idle (pruneThreads)',
      },
    ],
  },
  activity: {
    holds: 'The activity index pruning reads (time-ordered per shard).',
    personalData: 'owner ACS user id',
    rows: [{ kind: 'index entry', lifetime: 'moved on activity; deleted with its thread (deletion or pruneThreads)' }],
  },
  settings: {
    holds: 'Values the backend generates for itself: signing keys, the retention timer’s cursors.',
    personalData: 'none',
    rows: [
      { kind: 'signing key', lifetime: 'for good' },
      {
        kind: 'retention cursor',
        lifetime: 'one row per kind of expiring rows, overwritten by each enforceRetention run',
      },
    ],
  },
  usage: {
    holds: 'The fair-use ledger: one row per charging request, per user and clock hour.',
    personalData: 'app user id (partition key)',
    rows: [
      {
        kind: 'charge',
        lifetime:
          'its hour window; deleted by enforceRetention an hour after the charge (a filtered scan of the table, resumable)',
      },
    ],
  },
  requests: {
    holds: 'Idempotency-Key records: the request hash and what the first attempt created.',
    personalData: 'the created thread or message id and its response (names the caller)',
    rows: [
      {
        kind: 'key record',
        lifetime:
          '24 h after its claim, as Stripe keeps keys; deleted by enforceRetention (a filtered scan, resumable)',
      },
    ],
  },
  inbox: {
    holds: 'Inbox entries (one per user and thread) and the topic ACS last stamped on each thread.',
    personalData: 'ACS user id (partition key), message previews, senders and display names',
    rows: [
      { kind: 'entry of a thread the user is in', lifetime: 'while they are in it; deleted by erasure' },
      {
        kind: 'entry of a thread left or deleted',
        lifetime:
          'INBOX_LEFT_RETENTION_DAYS after it left the inbox; deleted by enforceRetention (a filtered scan, resumable)',
      },
      {
        kind: 'thread topic',
        lifetime:
          'until the thread’s record is gone and the topic is INBOX_LEFT_RETENTION_DAYS old; deleted by enforceRetention',
      },
    ],
  },
  attachments: {
    holds: 'Uploads, their due index while unclaimed, and the files of each thread’s messages.',
    personalData: 'uploader app user id, file names',
    rows: [
      {
        kind: 'unclaimed upload and its due entry',
        lifetime: 'an hour; deleted by sweepAttachments (with its blob)',
      },
      {
        kind: 'claimed upload and its thread entry',
        lifetime:
          'until its message or thread is deleted (ACS events), or the thread is pruned; erasure deletes the uploader’s',
      },
    ],
  },
  moderation: {
    holds: 'Bans, the audit trail, reports, and the after-the-fact checks of messages and their queue.',
    personalData: 'banned, reporting and audited app user ids; message snapshots in reports',
    rows: [
      { kind: 'ban', lifetime: 'until lifted; one that ended by itself is deleted a day later by enforceRetention' },
      {
        kind: 'audit entry',
        lifetime: 'MODERATION_AUDIT_DAYS; deleted by pruneModerationAudit (daily, whole months first)',
      },
      { kind: 'open report and its reporter marker', lifetime: 'until resolved' },
      {
        kind: 'resolved report and its reporter marker',
        lifetime:
          'MODERATION_AUDIT_DAYS after its resolution; deleted by enforceRetention (reads only reports filed that long ago)',
      },
      {
        kind: 'message check',
        lifetime:
          '7 days after it finished (allowed or removed); deleted by enforceRetention (a filtered scan, resumable); one still running or queued stays',
      },
      { kind: 'queued check', lifetime: 'until recheckModeration checks it' },
    ],
  },
  notifications: {
    holds: 'Away-email settings per user, the due index of unread batches, and ACS Email’s pause.',
    personalData: 'app user id, email addresses, threads last emailed',
    rows: [
      { kind: 'user settings', lifetime: 'as long as the user; deleted by erasure' },
      {
        kind: 'due entry',
        lifetime:
          'until sendAwayEmails handles it; one whose user has no settings row is deleted by enforceRetention an hour after it was due',
      },
      { kind: 'pause', lifetime: 'one row, overwritten' },
    ],
  },
  erasures: {
    holds: 'Erasure records: the minimal record that a user was erased.',
    personalData: 'none beyond a hash of the user id; who asked (the user or an admin id)',
    rows: [
      {
        kind: 'erasure record',
        lifetime: 'while the erasure runs, then 3 years after it finished (enforceRetention)',
      },
    ],
  },
};

/** The README's "Data retention" table, generated from the catalogue. */
export function retentionTableMarkdown(): string {
  const escape = (text: string): string => text.replace(/\|/g, '\\|');
  const rows = Object.entries(TABLE_CATALOGUE).map(([role, entry]) => [
    `\`${role}\``,
    escape(entry.holds),
    escape(entry.personalData),
    escape(entry.rows.map((row) => `${row.kind}: ${row.lifetime}`).join('<br>')),
  ]);
  return [
    '| table | holds | personal data | each kind of row: how long it lives, what deletes it |',
    '| --- | --- | --- | --- |',
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ].join('\n');
}
