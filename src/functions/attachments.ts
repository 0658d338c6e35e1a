import {
  attachmentLinkSchema,
  attachmentPath,
  attachmentUploadSchema,
  createAttachmentBody,
} from '../attachments/attachment-schemas';
import { threadPath } from '../chat/schemas';
import type { ServicesProvider } from '../composition';
import { authenticatedHandler } from '../http/authenticated';
import { readJsonBody } from '../http/body';
import { created } from '../http/handler';
import { pathParams } from '../http/request-parts';
import type { FunctionDefinition } from './definition';

/** An upload no message claimed within this long is deleted (the hour). */
export const UNCLAIMED_UPLOAD_MS = 60 * 60_000;
/** Uploads one sweep deletes at most: a minute or so of Storage calls; the next run takes the rest. */
const SWEEP_LIMIT = 500;

/**
 * Files in messages: an upload link for one new file, a redirect to a short-lived read link for one file, and the
 * `sweepAttachments` timer that deletes uploads no message claimed.
 */
export function attachmentFunctions(services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'timer',
      name: 'sweepAttachments',
      schedule: '0 */10 * * * *',
      handler: async (_timer, context) => {
        const { attachments } = await services();
        const result = await attachments.sweepUnclaimed(UNCLAIMED_UPLOAD_MS, SWEEP_LIMIT);
        if (result.deleted > 0 || result.more) context.log('unclaimed uploads swept', result);
      },
    },
    {
      kind: 'http',
      name: 'createAttachmentUpload',
      methods: ['POST'],
      route: 'threads/{threadId}/attachments',
      doc: {
        summary:
          'A link to upload one file straight to Blob Storage (PUT with uploadHeaders, within 10 minutes); then send ' +
          'a message with its attachmentId in `attachments`',
        body: createAttachmentBody,
        responses: {
          201: 'The upload link (a user delegation SAS for one new blob, create and write only)',
          404: 'No such thread, or not a participant',
          413: 'The declared size is over ATTACHMENT_MAX_BYTES (AttachmentTooLarge)',
          415: 'The declared type is not allowed (AttachmentTypeNotAllowed)',
          503: 'Attachments are not configured, or Blob Storage is unavailable',
        },
        responseBodies: { 201: attachmentUploadSchema },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { attachments } }) => {
        const { threadId } = pathParams(request, threadPath);
        const body = await readJsonBody(request, createAttachmentBody, { maxBytes: 2048 });
        return created(await attachments.createUpload({ caller, context }, threadId, body));
      }),
    },
    {
      kind: 'http',
      name: 'downloadAttachment',
      methods: ['GET'],
      route: 'threads/{threadId}/attachments/{attachmentId}',
      doc: {
        summary:
          'Redirects to a read link for the file, valid 5 minutes, for a caller who can see the message carrying it ' +
          '(images inline, other files as downloads)',
        responses: {
          200: 'With Accept: application/json, the read link as JSON (for web pages)',
          302: 'Location: the read link',
          404: 'No such file, or the caller cannot see its message (AttachmentNotFound)',
          503: 'Attachments are not configured, or Blob Storage is unavailable',
        },
        responseBodies: { 200: attachmentLinkSchema },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { attachments } }) => {
        const { threadId, attachmentId } = pathParams(request, attachmentPath);
        const link = await attachments.downloadLink({ caller, context }, threadId, attachmentId);
        const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
        if (/\bapplication\/json\b/i.test(request.headers.get('accept') ?? ''))
          return { status: 200, jsonBody: link, headers };
        return { status: 302, headers: { ...headers, Location: link.url } };
      }),
    },
  ];
}
