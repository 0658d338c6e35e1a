import { RateLimiter } from '../acs/ratelimit';
import { type EmailRateLimitSetting, rateRules } from './limits';

/** In-memory state of the emulated Email data plane of one ACS resource: operations, the mailbox, limits. */

export interface MailAddress {
  address: string;
  displayName?: string;
}

export interface MailAttachment {
  name: string;
  contentType: string;
  contentInBase64: string;
  contentId?: string;
}

/** One accepted send request, as the emulator's mailbox shows it (api-version independent). */
export interface EmailMessageRecord {
  sender: string;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  replyTo: MailAddress[];
  subject: string;
  plainText?: string;
  html?: string;
  /** Custom headers as sent (List-Unsubscribe, List-Unsubscribe-Post, …). */
  headers: Record<string, string>;
  attachments: MailAttachment[];
  userEngagementTrackingDisabled?: boolean;
  /** 2021-10-01-preview only. */
  importance?: 'high' | 'normal' | 'low';
}

export type EmailOutcome = { status: 'Succeeded' } | { status: 'Failed'; error: { code: string; message: string } };

export interface EmailOperation {
  /** As the client gave it (Operation-Id) or generated; looked up case-insensitively. */
  id: string;
  apiVersion: string;
  /** Emulator clock, ms. */
  acceptedAt: number;
  completesAt: number;
  outcome: EmailOutcome;
  message: EmailMessageRecord;
  /** Later requests with the same Operation-Id (GA) or Repeatability-Request-Id (preview) that did not send again. */
  repeats: number;
}

export type EmailStatus = 'NotStarted' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';

/** A recorded preview request (Learn "Repeatable requests"): replayed for a repeat within 5 minutes. */
export interface RepeatableOutcome {
  bodyHash: string;
  recordedAt: number;
  status: number;
  body?: unknown;
  headers: Record<string, string>;
  operationId?: string;
}

export interface PendingFailure {
  code: string;
  message: string;
}

export interface EmailStartOptions {
  rateLimit: EmailRateLimitSetting;
  /** `'any'`, or the linked domains whose addresses may send. */
  senderDomains: 'any' | string[];
  /** How long an accepted email stays Running before it ends (emulator clock). */
  processingMs: number;
}

export const DEFAULT_EMAIL_OPTIONS: EmailStartOptions = {
  rateLimit: 'CustomDomain',
  senderDomains: 'any',
  processingMs: 500,
};

export class EmailState {
  operations = new Map<string, EmailOperation>();
  /** The mailbox: accepted emails in acceptance order (clearing it keeps the operations pollable). */
  mailbox: EmailOperation[] = [];
  repeatability = new Map<string, RepeatableOutcome>();
  rateLimit: EmailRateLimitSetting;
  limiter: RateLimiter;
  senderDomains: 'any' | string[];
  processingMs: number;
  failures: PendingFailure[] = [];

  constructor(
    private readonly start: EmailStartOptions,
    /** Whether ACS rate limiting as a whole is on (startEmulator's `rateLimits`, `setRateLimiting`). */
    enabled: boolean,
  ) {
    this.rateLimit = start.rateLimit;
    this.limiter = new RateLimiter(enabled, rateRules(start.rateLimit));
    this.senderDomains = start.senderDomains;
    this.processingMs = start.processingMs;
  }

  setRateLimit(setting: EmailRateLimitSetting): void {
    this.rateLimit = setting;
    this.limiter = new RateLimiter(this.limiter.enabled, rateRules(setting));
  }

  /** Back to the start options; `enabled` is the ACS-wide rate limiting switch after its own reset. */
  reset(enabled: boolean): void {
    this.operations.clear();
    this.mailbox = [];
    this.repeatability.clear();
    this.failures = [];
    this.senderDomains = this.start.senderDomains;
    this.processingMs = this.start.processingMs;
    this.rateLimit = this.start.rateLimit;
    this.limiter = new RateLimiter(enabled, rateRules(this.start.rateLimit));
  }

  find(id: string): EmailOperation | undefined {
    return this.operations.get(id.toLowerCase());
  }

  add(op: EmailOperation): void {
    this.operations.set(op.id.toLowerCase(), op);
    this.mailbox.push(op);
  }

  /** Running until `completesAt` on the emulator clock, then its outcome. */
  static statusAt(op: EmailOperation, now: number): EmailStatus {
    return now < op.completesAt ? 'Running' : op.outcome.status;
  }
}
