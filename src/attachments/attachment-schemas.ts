import * as z from 'zod';

/** Metadata keys the backend writes on messages; a client may not set them (see chat/schemas.ts). */
export const BACKEND_METADATA_PREFIX = 'acsChatBackend.';
/** The files a message carries, as JSON: an array of `Attachment`. */
export const ATTACHMENTS_METADATA_KEY = `${BACKEND_METADATA_PREFIX}attachments`;
/** At most this many files in one message. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
/** Upload links live this long (the issue allows up to 10 minutes), download links this long (up to 5). */
export const UPLOAD_LINK_MS = 10 * 60_000;
export const DOWNLOAD_LINK_MS = 5 * 60_000;

/** 128 random bits, base64url: unguessable, and a valid Table key and blob name segment. */
export const attachmentId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'must be an attachment id');

const fileName = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .refine((value) => !/[\p{Cc}/\\]/u.test(value), 'must not contain control characters or path separators');

export const createAttachmentBody = z
  .object({
    name: fileName,
    contentType: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/, 'must be a media type such as image/png'),
    size: z.number().int().min(1, 'must be at least 1 byte'),
  })
  .strict();
export type CreateAttachmentBody = z.infer<typeof createAttachmentBody>;

export const attachmentPath = z.object({
  threadId: z.string().min(1).max(300),
  attachmentId,
});

export const attachmentUploadSchema = z
  .object({
    attachmentId: z.string(),
    /** PUT the file's bytes here (Blob Storage itself), with `uploadHeaders`, before `expiresOn`. */
    uploadUrl: z.string(),
    uploadHeaders: z.record(z.string(), z.string()),
    expiresOn: z.iso.datetime(),
  })
  .meta({ id: 'AttachmentUpload' });
export type AttachmentUpload = z.infer<typeof attachmentUploadSchema>;

/** GET …/attachments/{id} with `Accept: application/json`: the read link itself (for pages, which cannot follow a
 * cross-origin redirect with their bearer token and read the result). */
export const attachmentLinkSchema = z
  .object({ url: z.string(), expiresOn: z.iso.datetime() })
  .meta({ id: 'AttachmentLink' });
export type AttachmentLink = z.infer<typeof attachmentLinkSchema>;

/** A file a message carries: fetch it with GET /threads/{threadId}/attachments/{id}. */
export const attachmentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    contentType: z.string(),
    size: z.number().int().nonnegative(),
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
  })
  .meta({ id: 'Attachment' });
export type Attachment = z.infer<typeof attachmentSchema>;

/**
 * The attachments recorded in a message's metadata. Anyone who can write to ACS directly could put anything there,
 * so this is only ever shown: a download is allowed by our own record of which message claimed the file.
 */
export function attachmentsFromMetadata(metadata: Record<string, string> | undefined): Attachment[] {
  const raw = metadata?.[ATTACHMENTS_METADATA_KEY];
  if (!raw) return [];
  try {
    const parsed = z.array(attachmentSchema).max(MAX_ATTACHMENTS_PER_MESSAGE).safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}
