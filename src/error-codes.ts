/**
 * Every stable error code the API returns, defined once. `error.code` in an error body is one of ERROR_CODES, and
 * its HTTP status comes from here; codes inside `details` and per-item failures are DETAIL_CODES. The README lists
 * both and the OpenAPI document emits them as enums, so clients can switch on them.
 */

export const ERROR_CODES = {
  ValidationFailed: { status: 400, meaning: 'The request is invalid; `details` names each problem.' },
  BodyRequired: { status: 400, meaning: 'A JSON request body is required.' },
  InvalidJson: { status: 400, meaning: 'The request body is not valid JSON.' },
  InvalidContinuationToken: { status: 400, meaning: 'The continuation token was not issued for this list and caller.' },
  TooManyParticipants: { status: 400, meaning: 'More participants than ACS allows in one request or one thread.' },
  RejectedByChatService: { status: 400, meaning: 'ACS refused the request as invalid.' },
  Unauthenticated: { status: 401, meaning: 'No valid bearer token (missing, expired, wrong issuer or audience).' },
  Forbidden: { status: 403, meaning: 'The caller may not do this.' },
  NotThreadOwner: { status: 403, meaning: 'Only the thread owner (or an admin, where allowed) may do this.' },
  NotMessageSender: { status: 403, meaning: 'Only the sender of a message may do this.' },
  AdminRoleRequired: { status: 403, meaning: 'Only a caller with the admin role may do this.' },
  UserBanned: { status: 403, meaning: 'The caller is banned by a moderator (until the ban ends or is lifted).' },
  ScopeNotAllowed: { status: 403, meaning: 'A requested ACS token scope is not allowed by configuration.' },
  NotFound: { status: 404, meaning: 'The resource does not exist.' },
  ThreadNotFound: { status: 404, meaning: 'The thread does not exist, or the caller is not a participant.' },
  MessageNotFound: { status: 404, meaning: 'The message does not exist in this thread.' },
  ParticipantNotFound: { status: 404, meaning: 'That user is not a participant of this thread.' },
  AttachmentNotFound: {
    status: 404,
    meaning: 'No such file in this thread, or the caller cannot see the message that carries it.',
  },
  Conflict: { status: 409, meaning: 'The request conflicts with the current state.' },
  PayloadTooLarge: { status: 413, meaning: 'The request body exceeds the size limit.' },
  AttachmentTooLarge: { status: 413, meaning: 'The file is larger than ATTACHMENT_MAX_BYTES allows.' },
  UnsupportedMediaType: { status: 415, meaning: 'The request body must be JSON.' },
  AttachmentTypeNotAllowed: { status: 415, meaning: 'Files of this type may not be attached (ATTACHMENT_TYPES).' },
  IdempotencyKeyReused: {
    status: 422,
    meaning: 'This Idempotency-Key was already used by the caller with a different request body.',
  },
  AttachmentInvalid: {
    status: 422,
    meaning: 'An attachment id is unknown, belongs to another thread or sender, or is attached already.',
  },
  AttachmentNotUploaded: { status: 422, meaning: 'A file was not uploaded (or its upload did not finish).' },
  AttachmentContentMismatch: {
    status: 422,
    meaning: 'A file is not of the type declared for it (it was deleted); upload it again with its true type.',
  },
  ContentRejected: {
    status: 422,
    meaning:
      'Content Safety flagged the text (message or topic); `details` name the categories, never the matched words. ' +
      'Nothing was sent.',
  },
  TooManyRequests: { status: 429, meaning: 'Slow down; retry after `Retry-After` seconds.' },
  FairUseExceeded: {
    status: 429,
    meaning: "The caller's hourly fair-use allowance (threads, or identities created for others) is spent.",
  },
  InternalError: { status: 500, meaning: 'An unexpected failure; nothing about it is disclosed.' },
  UpstreamFailure: { status: 502, meaning: 'A dependency failed in a way a quick retry will not fix.' },
  ServiceUnavailable: {
    status: 503,
    meaning: 'A dependency is unavailable or slow; retry after `Retry-After` seconds.',
  },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes whose HTTP status is `Status`: lets each error class accept only codes that fit its status. */
export type ErrorCodeWithStatus<Status extends number> = {
  [Code in ErrorCode]: (typeof ERROR_CODES)[Code]['status'] extends Status ? Code : never;
}[ErrorCode];

export const DETAIL_CODES = {
  InvalidValue: 'A field of the request is invalid (`target` names it).',
  IdentityUnavailable: 'The user could not be given an ACS identity right now.',
  ParticipantRejected: 'ACS refused to add this participant.',
  HarmCategory:
    'A category the content was rejected for (`message`: Hate, Sexual, Violence, SelfHarm or Blocklist; `target`: the field).',
} as const satisfies Record<string, string>;

export type DetailCode = keyof typeof DETAIL_CODES;

export const errorCodes = Object.keys(ERROR_CODES) as ErrorCode[];
export const detailCodes = Object.keys(DETAIL_CODES) as DetailCode[];
