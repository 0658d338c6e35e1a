import { ApiError } from '../acs/errors';
import { MAX_RECIPIENTS } from './limits';
import type { EmailMessageRecord, MailAddress, MailAttachment } from './state';

/**
 * The send body of each api-version (contract: EmailMessage in email-2023-03-31.json / email-2025-09-01.json, and
 * in email-2021-10-01-preview.json) checked and turned into one mailbox record. Every refusal is 400 with the
 * contract's error shape; the codes are the emulator's (Learn lists none) except `InvalidEmailAddress`, which the
 * service is reported to use (Azure/azure-sdk-for-net#56805).
 */

type Json = Record<string, unknown>;

const invalid = (message: string, target?: string, code = 'BadRequest'): ApiError =>
  new ApiError(400, code, message, {}, target);

/** A mailbox of the usual `local@domain.tld` shape, without spaces, angle brackets or a second `@`. */
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/;
/** RFC 5322 field-name: printable US-ASCII except the colon. */
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const IMPORTANCE = new Set(['high', 'normal', 'low']);

function object(v: unknown, target: string, required = true): Json | undefined {
  if (v === undefined || v === null) {
    if (required) throw invalid(`'${target}' is required.`, target);
    return undefined;
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`'${target}' must be an object.`, target);
  return v as Json;
}

function string(v: unknown, target: string, required = true): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw invalid(`'${target}' is required.`, target);
    return undefined;
  }
  if (typeof v !== 'string') throw invalid(`'${target}' must be a string.`, target);
  return v;
}

function array(v: unknown, target: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(`'${target}' must be an array.`, target);
  return v;
}

export function checkAddress(address: string, target: string): string {
  if (!ADDRESS.test(address))
    throw invalid(`'${address}' is not a valid email address.`, target, 'InvalidEmailAddress');
  return address;
}

function addresses(v: unknown, target: string, key: 'address' | 'email'): MailAddress[] {
  return array(v, target).map((item, i) => {
    const at = `${target}[${i}]`;
    const o = object(item, at) as Json;
    const out: MailAddress = { address: checkAddress(string(o[key], `${at}.${key}`) as string, `${at}.${key}`) };
    const displayName = string(o.displayName, `${at}.displayName`, false);
    if (displayName !== undefined) out.displayName = displayName;
    return out;
  });
}

function base64(v: unknown, target: string): string {
  const s = string(v, target) as string;
  if (!BASE64.test(s)) throw invalid(`'${target}' is not valid base64.`, target);
  return s;
}

function content(body: Json): Pick<EmailMessageRecord, 'subject' | 'plainText' | 'html'> {
  const c = object(body.content, 'content') as Json;
  const subject = string(c.subject, 'content.subject') as string;
  if (subject.trim() === '') throw invalid("'content.subject' must not be empty.", 'content.subject');
  const plainText = string(c.plainText, 'content.plainText', false);
  const html = string(c.html, 'content.html', false);
  // Learn, "Quickstart: Send email" (object model): "You have to specify at least one of PlainText or Html content".
  if (!plainText && !html) throw invalid("'content' needs 'plainText' or 'html'.", 'content');
  const out: Pick<EmailMessageRecord, 'subject' | 'plainText' | 'html'> = { subject };
  if (plainText !== undefined) out.plainText = plainText;
  if (html !== undefined) out.html = html;
  return out;
}

function header(headers: Record<string, string>, name: unknown, value: unknown, target: string): void {
  if (typeof name !== 'string' || !HEADER_NAME.test(name))
    throw invalid(`'${String(name)}' is not a valid header name.`, target);
  if (typeof value !== 'string') throw invalid(`The value of header '${name}' must be a string.`, target);
  if (/[\r\n]/.test(value)) throw invalid(`The value of header '${name}' must not contain a line break.`, target);
  headers[name] = value;
}

function flag(body: Json, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalid(`'${key}' must be a boolean.`, key);
  return v;
}

function recipientCount(m: EmailMessageRecord): void {
  const n = m.to.length + m.cc.length + m.bcc.length;
  if (n === 0) throw invalid('The email has no recipient.', 'recipients');
  if (n > MAX_RECIPIENTS)
    throw invalid(`The email has ${n} recipients; at most ${MAX_RECIPIENTS} are allowed.`, 'recipients');
}

/** The GA body (2023-03-31, 2025-09-01). */
export function gaMessage(body: Json): EmailMessageRecord {
  const sender = checkAddress(string(body.senderAddress, 'senderAddress') as string, 'senderAddress');
  const recipients = object(body.recipients, 'recipients') as Json;
  if (recipients.to === undefined || recipients.to === null)
    throw invalid("'recipients.to' is required.", 'recipients.to');
  const headers: Record<string, string> = {};
  const h = object(body.headers, 'headers', false);
  if (h) for (const [name, value] of Object.entries(h)) header(headers, name, value, 'headers');
  const attachments = array(body.attachments, 'attachments').map((item, i): MailAttachment => {
    const at = `attachments[${i}]`;
    const a = object(item, at) as Json;
    const name = string(a.name, `${at}.name`) as string;
    if (name === '') throw invalid(`'${at}.name' must not be empty.`, `${at}.name`);
    const contentType = string(a.contentType, `${at}.contentType`) as string;
    if (contentType === '') throw invalid(`'${at}.contentType' must not be empty.`, `${at}.contentType`);
    const out: MailAttachment = {
      name,
      contentType,
      contentInBase64: base64(a.contentInBase64, `${at}.contentInBase64`),
    };
    const contentId = string(a.contentId, `${at}.contentId`, false);
    if (contentId !== undefined) out.contentId = contentId;
    return out;
  });
  const tracking = flag(body, 'userEngagementTrackingDisabled');
  const m: EmailMessageRecord = {
    sender,
    to: addresses(recipients.to, 'recipients.to', 'address'),
    cc: addresses(recipients.cc, 'recipients.cc', 'address'),
    bcc: addresses(recipients.bcc, 'recipients.bcc', 'address'),
    replyTo: addresses(body.replyTo, 'replyTo', 'address'),
    ...content(body),
    headers,
    attachments,
  };
  if (tracking !== undefined) m.userEngagementTrackingDisabled = tracking;
  recipientCount(m);
  return m;
}

/** The 2021-10-01-preview body (`sender`, `email`, header list, `attachmentType`, `importance`). */
export function previewMessage(body: Json, attachmentTypes: ReadonlySet<string>): EmailMessageRecord {
  const sender = checkAddress(string(body.sender, 'sender') as string, 'sender');
  const recipients = object(body.recipients, 'recipients') as Json;
  if (recipients.to === undefined || recipients.to === null)
    throw invalid("'recipients.to' is required.", 'recipients.to');
  const headers: Record<string, string> = {};
  array(body.headers, 'headers').forEach((item, i) => {
    const o = object(item, `headers[${i}]`) as Json;
    header(headers, o.name, o.value, `headers[${i}]`);
  });
  const attachments = array(body.attachments, 'attachments').map((item, i): MailAttachment => {
    const at = `attachments[${i}]`;
    const a = object(item, at) as Json;
    const type = string(a.attachmentType, `${at}.attachmentType`) as string;
    if (!attachmentTypes.has(type))
      throw invalid(`'${type}' is not an allowed attachment type.`, `${at}.attachmentType`);
    return {
      name: string(a.name, `${at}.name`) as string,
      contentType: type,
      contentInBase64: base64(a.contentBytesBase64, `${at}.contentBytesBase64`),
    };
  });
  const importance = string(body.importance, 'importance', false);
  if (importance !== undefined && !IMPORTANCE.has(importance))
    throw invalid("'importance' must be high, normal or low.", 'importance');
  const tracking = flag(body, 'disableUserEngagementTracking');
  const m: EmailMessageRecord = {
    sender,
    to: addresses(recipients.to, 'recipients.to', 'email'),
    cc: addresses(recipients.CC ?? recipients.cc, 'recipients.CC', 'email'),
    bcc: addresses(recipients.bCC ?? recipients.bcc, 'recipients.bCC', 'email'),
    replyTo: addresses(body.replyTo, 'replyTo', 'email'),
    ...content(body),
    headers,
    attachments,
    importance: (importance ?? 'normal') as 'high' | 'normal' | 'low',
  };
  if (tracking !== undefined) m.userEngagementTrackingDisabled = tracking;
  recipientCount(m);
  return m;
}
