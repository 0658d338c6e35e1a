import { randomUUID } from 'node:crypto';

import type { CallScope } from '../chat/chat-context';
import { messageNotFound } from '../chat/errors';
import type { MessageService } from '../chat/message-service';
import type { ReportRepository } from '../storage/moderation-repository';
import { fromUpstream, rethrowAs } from '../upstream-errors';
import type { AuditLog } from './audit-log';
import type { Report, ReportBody } from './moderation-schemas';

/** A Tables string property holds 32 K UTF-16 units; the snapshot keeps the first 16 K characters of a message. */
const SNAPSHOT_CHARS = 16_000;

/**
 * Reports of messages: by any participant who can see the message (read as the reporter: ACS decides, one call),
 * once per reporter and message, with a snapshot of the message that outlives its deletion.
 */
export class ReportService {
  constructor(
    private readonly messages: MessageService,
    private readonly reports: ReportRepository,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {}

  async file(
    scope: CallScope,
    threadId: string,
    messageId: string,
    body: ReportBody,
  ): Promise<{ report: Report; created: boolean }> {
    const message = await this.messages.get(scope, threadId, messageId);
    if (message.deletedOn) throw messageNotFound();
    const report: Report = {
      id: randomUUID(),
      threadId,
      messageId,
      reporter: scope.caller.userId,
      reason: body.reason,
      ...(body.note ? { note: body.note } : {}),
      status: 'open',
      filedOn: new Date(this.now()).toISOString(),
      message: {
        type: message.type,
        ...(message.content?.message !== undefined
          ? { content: message.content.message.slice(0, SNAPSHOT_CHARS) }
          : {}),
        ...(message.sender?.userId ? { senderUserId: message.sender.userId } : {}),
        ...(message.senderDisplayName ? { senderDisplayName: message.senderDisplayName } : {}),
        createdOn: message.createdOn,
        ...(message.attachments?.length ? { attachmentIds: message.attachments.map((file) => file.id) } : {}),
      },
    };
    const filed = await this.reports.file(report).catch(rethrowAs(fromUpstream));
    if (filed.created)
      await this.audit.record(
        {
          action: 'reportFiled',
          actor: scope.caller.userId,
          ...(report.message.senderUserId ? { subject: report.message.senderUserId } : {}),
          reason: body.reason,
          details: { reportId: report.id, threadId, messageId },
        },
        scope.context,
      );
    return filed;
  }

  async open(pageSize: number, continuation?: string): Promise<{ items: Report[]; continuationToken?: string }> {
    return this.reports.open(pageSize, continuation).catch(rethrowAs(fromUpstream));
  }
}
