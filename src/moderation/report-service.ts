import { randomBytes } from 'node:crypto';

import type { InvocationContext } from '@azure/functions';

import type { CallScope } from '../chat/chat-context';
import { messageNotFound } from '../chat/errors';
import type { MessageService } from '../chat/message-service';
import type { PeopleDirectory } from '../chat/people';
import { ConflictError, NotFoundError } from '../errors';
import type { ReportRepository } from '../storage/moderation-repository';
import { fromUpstream, rethrowAs } from '../upstream-errors';
import type { AuditLog } from './audit-log';
import type { BanService } from './ban-service';
import type { Report, ReportBody, ResolveBody } from './moderation-schemas';
import type { ModeratorActions } from './moderator-actions';

/** A Tables string property holds 32 K UTF-16 units; the snapshot keeps the first 16 K characters of a message. */
const SNAPSHOT_CHARS = 16_000;

/**
 * Reports of messages: by any participant who can see the message (read as the reporter: ACS decides, one call),
 * once per reporter and message, with a snapshot of the message that outlives its deletion.
 */
export interface ReportDependencies {
  messages: MessageService;
  reports: ReportRepository;
  audit: AuditLog;
  people: PeopleDirectory;
  actions: ModeratorActions;
  bans: BanService;
}

export class ReportService {
  private readonly messages: MessageService;
  private readonly reports: ReportRepository;
  private readonly audit: AuditLog;

  constructor(
    private readonly deps: ReportDependencies,
    private readonly now: () => number = Date.now,
  ) {
    ({ messages: this.messages, reports: this.reports, audit: this.audit } = deps);
  }

  async file(
    scope: CallScope,
    threadId: string,
    messageId: string,
    body: ReportBody,
  ): Promise<{ report: Report; created: boolean }> {
    const message = await this.messages.get(scope, threadId, messageId);
    if (message.deletedOn) throw messageNotFound();
    const report: Report = {
      id: newReportId(this.now()),
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

  /**
   * Resolves an open report (admin): acts first, then marks the report resolved only if nobody resolved it meanwhile
   * (a concurrent resolution gets 409; acting twice is harmless: a deleted message stays deleted, a ban is replaced).
   */
  async resolve(admin: string, reportId: string, body: ResolveBody, context?: InvocationContext): Promise<Report> {
    const found = await this.reports.get(reportId).catch(rethrowAs(fromUpstream));
    if (!found) throw new NotFoundError('No such report.');
    const { report, etag } = found;
    if (report.status !== 'open') throw new ConflictError('This report is resolved already.');
    const sender = report.message.senderUserId;
    let messageDeleted: boolean | undefined;
    if (body.action !== 'dismiss' && sender) {
      const senderAcsUserId = await this.deps.people.findAcsUserId(sender);
      if (senderAcsUserId) {
        messageDeleted = await this.deps.actions.deleteAsSender(report.threadId, report.messageId, senderAcsUserId);
        if (body.action === 'removeSender')
          await this.deps.actions.removeFromThread(report.threadId, senderAcsUserId, context);
      }
      if (body.action === 'banSender')
        await this.deps.bans.ban(admin, sender, { reason: body.note ?? `Reported for ${report.reason}` }, context);
    }
    const resolved: Report = {
      ...report,
      status: 'resolved',
      resolution: {
        action: body.action,
        by: admin,
        on: new Date(this.now()).toISOString(),
        ...(body.note ? { note: body.note } : {}),
        ...(messageDeleted !== undefined ? { messageDeleted } : {}),
      },
    };
    if (!(await this.reports.replace(resolved, etag).catch(rethrowAs(fromUpstream))))
      throw new ConflictError('This report was resolved by someone else meanwhile.');
    await this.audit.record(
      {
        action: 'reportResolved',
        actor: admin,
        ...(sender ? { subject: sender } : {}),
        reason: body.note ?? body.action,
        details: {
          reportId,
          resolution: body.action,
          threadId: report.threadId,
          messageId: report.messageId,
          ...(messageDeleted !== undefined ? { messageDeleted: String(messageDeleted) } : {}),
        },
      },
      context,
    );
    return resolved;
  }
}

/** `r` + the filing time (base 36, fixed width, so ids sort by time) + 16 random hex digits. */
function newReportId(now: number): string {
  return `r${now.toString(36).padStart(9, '0')}-${randomBytes(8).toString('hex')}`;
}
