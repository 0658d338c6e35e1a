import { randomBytes } from 'node:crypto';

import type { CallScope } from '../chat/chat-context';
import type { AttachmentsConfig } from '../config';
import {
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnprocessableError,
  UnsupportedMediaTypeError,
} from '../errors';
import { type AttachmentRecord, type AttachmentRepository, threadKey } from '../storage/attachment-repository';
import { fromUpstream, rethrowAs } from '../upstream-errors';
import {
  type Attachment,
  type AttachmentLink,
  ATTACHMENTS_METADATA_KEY,
  type AttachmentUpload,
  type CreateAttachmentBody,
  DOWNLOAD_LINK_MS,
  UPLOAD_LINK_MS,
} from './attachment-schemas';
import { type BlobFiles, CLAIMED_TAG } from './blob-files';
import { checkContent, SNIFF_BYTES } from './content-check';

/** What the attachments need to know of chat: membership, and what a caller can see (both as the caller). */
export interface AttachmentChat {
  /** Throws ThreadNotFound unless the caller is a participant. */
  assertParticipant(scope: CallScope, threadId: string): Promise<void>;
  /** Whether the caller can see the message (a participant, the message shared with them, not deleted). */
  canSee(scope: CallScope, threadId: string, messageId: string): Promise<boolean>;
}

/** Files checked for a message about to be sent: the metadata to send it with, and the claim once it exists. */
export interface PreparedAttachments {
  metadata: Record<string, string>;
  attachments: Attachment[];
  claim(messageId: string): Promise<void>;
}

/** Images a browser shows without running anything: served inline; everything else downloads as a file. */
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/**
 * Files in messages. The backend never carries a file's bytes: clients upload to and download from Blob Storage
 * with short-lived links for one blob each; the backend decides who gets a link and checks an upload (size, type by
 * its first bytes) before a message may carry it.
 */
export class AttachmentService {
  constructor(
    private readonly config: AttachmentsConfig | undefined,
    private readonly files: BlobFiles | undefined,
    private readonly records: AttachmentRepository,
    private readonly chat: AttachmentChat,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.files !== undefined;
  }

  /** Checks the declared size and type, then a link for one new blob: two Tables inserts, no ACS call when settled. */
  async createUpload(scope: CallScope, threadId: string, body: CreateAttachmentBody): Promise<AttachmentUpload> {
    const { config, files } = this.require();
    if (!config.allowedTypes.includes(body.contentType))
      throw new UnsupportedMediaTypeError(
        `Files of type ${body.contentType} cannot be attached here.`,
        'AttachmentTypeNotAllowed',
      );
    if (body.size > config.maxBytes)
      throw new PayloadTooLargeError(
        `The file is ${body.size} bytes; at most ${config.maxBytes} may be attached.`,
        'AttachmentTooLarge',
      );
    await this.chat.assertParticipant(scope, threadId);
    const record: AttachmentRecord = {
      attachmentId: randomBytes(16).toString('base64url'),
      threadId,
      uploader: scope.caller.userId,
      name: body.name,
      contentType: body.contentType,
      declaredSize: body.size,
      createdOn: new Date(this.now()),
    };
    await this.records.create(record).catch(rethrowAs(fromUpstream));
    const link = await files.uploadLink(blobName(record), UPLOAD_LINK_MS).catch(rethrowAs(fromUpstream));
    return {
      attachmentId: record.attachmentId,
      uploadUrl: link.url,
      uploadHeaders: {
        'x-ms-blob-type': 'BlockBlob',
        'content-type': body.contentType,
        // The lifecycle backstop (infra) deletes uploads still tagged so after a day, should the sweep miss one.
        'x-ms-tags': `${CLAIMED_TAG}=false`,
      },
      expiresOn: link.expiresOn.toISOString(),
    };
  }

  /**
   * Before a message with files is sent: each must be the caller's upload to this thread, not yet attached, present,
   * within the size limit and of its declared type. A file that fails the size or type check is deleted.
   */
  async prepare(scope: CallScope, threadId: string, attachmentIds: string[]): Promise<PreparedAttachments> {
    const { config, files } = this.require();
    const checked = await Promise.all(attachmentIds.map((id) => this.check(scope, threadId, id, config, files)));
    const attachments = checked.map(({ attachment }) => attachment);
    return {
      metadata: { [ATTACHMENTS_METADATA_KEY]: JSON.stringify(attachments) },
      attachments,
      claim: (messageId) =>
        this.claimAll(
          checked.map(({ record }) => record),
          messageId,
        ),
    };
  }

  /** A read link valid 5 minutes, for a caller who can see the message that carries the file. One ACS call. */
  async downloadLink(scope: CallScope, threadId: string, attachmentId: string): Promise<AttachmentLink> {
    const { files } = this.require();
    const record = await this.records.get(attachmentId).catch(rethrowAs(fromUpstream));
    const notFound = new NotFoundError('No such file in this thread.', 'AttachmentNotFound');
    if (!record?.messageId || record.threadId !== threadId) throw notFound;
    if (!(await this.chat.canSee(scope, threadId, record.messageId))) throw notFound;
    const link = await files
      .readLink(blobName(record), DOWNLOAD_LINK_MS, {
        contentType: record.contentType,
        contentDisposition: INLINE_TYPES.has(record.contentType)
          ? 'inline'
          : `attachment; filename*=UTF-8''${encodeURIComponent(record.name)}`,
      })
      .catch(rethrowAs(fromUpstream));
    return { url: link.url, expiresOn: link.expiresOn.toISOString() };
  }

  /**
   * A retry of a send that reached ACS but failed to record its files (same Idempotency-Key): records them now for
   * the message the retry found.
   */
  async claimFor(scope: CallScope, threadId: string, attachmentIds: string[], messageId: string): Promise<void> {
    if (!this.files) return;
    await Promise.all(
      attachmentIds.map(async (attachmentId) => {
        const record = await this.records.get(attachmentId).catch(rethrowAs(fromUpstream));
        if (record && record.threadId === threadId && record.uploader === scope.caller.userId && !record.messageId)
          await this.claimAll([record], messageId);
      }),
    );
  }

  private async claimAll(records: AttachmentRecord[], messageId: string): Promise<void> {
    await Promise.all(
      records.map(async (record) => {
        await this.records.claim(record, messageId).catch(rethrowAs(fromUpstream));
        await this.files?.markClaimed(blobName(record)).catch(rethrowAs(fromUpstream));
      }),
    );
  }

  /**
   * The files of a deleted message (or all of a deleted thread's), blobs and records, at most `limit` of them (call
   * again while `more`). Idempotent.
   */
  async deleteClaimed(
    threadId: string,
    messageId: string | undefined,
    limit: number,
  ): Promise<{ deleted: number; more: boolean }> {
    if (!this.files) return { deleted: 0, more: false };
    let deleted = 0;
    for await (const attachmentId of this.records.claimedIn(threadId, messageId)) {
      if (deleted >= limit) return { deleted, more: true };
      const record = await this.records.get(attachmentId);
      await this.files.delete(blobName({ threadId, attachmentId }));
      await this.records.remove(record ?? { attachmentId, threadId, createdOn: new Date(0) });
      deleted += 1;
    }
    return { deleted, more: false };
  }

  /** Uploads no message claimed within `maxAgeMs`: at most `limit` of them, oldest first per shard. */
  async sweepUnclaimed(maxAgeMs: number, limit: number): Promise<{ deleted: number; more: boolean }> {
    if (!this.files) return { deleted: 0, more: false };
    let deleted = 0;
    for await (const entry of this.records.pendingBefore(new Date(this.now() - maxAgeMs))) {
      if (deleted >= limit) return { deleted, more: true };
      const record = await this.records.get(entry.attachmentId);
      if (record?.messageId) {
        await this.records.removePending(entry); // claimed after all: only its index entry was left
        continue;
      }
      if (record) {
        await this.files.delete(blobName(record));
        await this.records.remove(record);
      } else await this.records.removePending(entry);
      deleted += 1;
    }
    return { deleted, more: false };
  }

  private async check(
    scope: CallScope,
    threadId: string,
    attachmentId: string,
    config: AttachmentsConfig,
    files: BlobFiles,
  ): Promise<{ record: AttachmentRecord; attachment: Attachment }> {
    const record = await this.records.get(attachmentId).catch(rethrowAs(fromUpstream));
    if (!record || record.threadId !== threadId || record.uploader !== scope.caller.userId || record.messageId)
      throw new UnprocessableError(
        `Attachment ${attachmentId} is not an upload of yours to this thread waiting for a message.`,
        'AttachmentInvalid',
      );
    const name = blobName(record);
    const size = await files.size(name).catch(rethrowAs(fromUpstream));
    if (size === undefined)
      throw new UnprocessableError(`${record.name} was not uploaded; upload it first.`, 'AttachmentNotUploaded');
    if (size > config.maxBytes) {
      await this.discard(record);
      throw new PayloadTooLargeError(
        `${record.name} is ${size} bytes; at most ${config.maxBytes} may be attached. It was deleted.`,
        'AttachmentTooLarge',
      );
    }
    const head = await files.head(name, SNIFF_BYTES, size).catch(rethrowAs(fromUpstream));
    const facts = await checkContent(head, record.contentType);
    if (!facts) {
      await this.discard(record);
      throw new UnprocessableError(
        `${record.name} is not a ${record.contentType} file. It was deleted.`,
        'AttachmentContentMismatch',
      );
    }
    return {
      record,
      attachment: { id: attachmentId, name: record.name, contentType: record.contentType, size, ...facts },
    };
  }

  private async discard(record: AttachmentRecord): Promise<void> {
    await this.files?.delete(blobName(record)).catch(rethrowAs(fromUpstream));
    await this.records.remove(record).catch(rethrowAs(fromUpstream));
  }

  private require(): { config: AttachmentsConfig; files: BlobFiles } {
    if (!this.config || !this.files)
      throw new ServiceUnavailableError('Attachments are not configured on this deployment.', 300);
    return { config: this.config, files: this.files };
  }
}

/** `<thread hash>/<attachment id>`: a thread's files share a prefix, so deleting a thread can list them. */
function blobName(record: Pick<AttachmentRecord, 'threadId' | 'attachmentId'>): string {
  return `${threadKey(record.threadId)}/${record.attachmentId}`;
}
