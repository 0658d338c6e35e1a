import { messagePath, pageQuery } from '../chat/schemas';
import { pageSchema } from '../chat/views';
import type { ServicesProvider } from '../composition';
import { ForbiddenError, NotFoundError } from '../errors';
import type { Caller } from '../http/authenticate';
import { authenticatedHandler } from '../http/authenticated';
import { readJsonBody } from '../http/body';
import { created, noContent, ok } from '../http/handler';
import { pathParams, queryParams } from '../http/request-parts';
import {
  auditEntrySchema,
  banBody,
  banPage,
  banSchema,
  reportBody,
  reportPath,
  reportSchema,
  reportsQuery,
  resolveBody,
  userPath,
} from '../moderation/moderation-schemas';
import type { FunctionDefinition } from './definition';

const auditPage = pageSchema(auditEntrySchema, 'AuditPage');
const reportPage = pageSchema(reportSchema, 'ReportPage');

function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw new ForbiddenError('Only an admin may moderate.', 'AdminRoleRequired');
}

/** Moderation (admin role): bans, and the audit trail of every moderation action. */
export function moderationFunctions(services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'http',
      name: 'reportMessage',
      methods: ['POST'],
      route: 'threads/{threadId}/messages/{messageId}/reports',
      doc: {
        summary:
          'Report a message to the moderators (any participant who can see it; once per message: a repeat answers ' +
          '200 with the first report)',
        body: reportBody,
        responses: {
          201: 'The report, with a snapshot of the message',
          200: 'Reported already: the earlier report',
          404: 'No such message, or the caller cannot see it',
        },
        responseBodies: { 201: reportSchema, 200: reportSchema },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { reports } }) => {
        const { threadId, messageId } = pathParams(request, messagePath);
        const body = await readJsonBody(request, reportBody, { maxBytes: 4096 });
        const filed = await reports.file({ caller, context }, threadId, messageId, body);
        return filed.created ? created(filed.report) : ok(filed.report);
      }),
    },
    {
      kind: 'http',
      name: 'listReports',
      methods: ['GET'],
      route: 'moderation/reports',
      doc: {
        summary: 'Open reports, oldest first (admin)',
        query: reportsQuery,
        responses: { 200: 'A page of reports', 403: 'Not an admin' },
        responseBodies: { 200: reportPage },
      },
      handler: authenticatedHandler(services, async ({ request, caller, services: { reports } }) => {
        requireAdmin(caller);
        const query = queryParams(request, reportsQuery);
        return ok(await reports.open(query.maxPageSize ?? 50, query.continuationToken));
      }),
    },
    {
      kind: 'http',
      name: 'resolveReport',
      methods: ['POST'],
      route: 'moderation/reports/{reportId}/resolve',
      doc: {
        summary:
          'Resolve an open report (admin): `dismiss`; `deleteMessage` (in ACS, as its sender); `removeSender` (delete ' +
          'it and remove the sender from the thread); `banSender` (delete it and ban the sender)',
        body: resolveBody,
        responses: {
          200: 'The resolved report',
          403: 'Not an admin',
          404: 'No such report',
          409: 'The report is resolved already',
        },
        responseBodies: { 200: reportSchema },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { reports } }) => {
        requireAdmin(caller);
        const { reportId } = pathParams(request, reportPath);
        const body = await readJsonBody(request, resolveBody, { maxBytes: 4096 });
        return ok(await reports.resolve(caller.userId, reportId, body, context));
      }),
    },
    {
      kind: 'http',
      name: 'banUser',
      methods: ['PUT'],
      route: 'moderation/bans/{userId}',
      doc: {
        summary:
          'Ban a user (admin): every route answers them 403 UserBanned and their ACS tokens are revoked at once, ' +
          'until `until` or until the ban is lifted',
        body: banBody,
        responses: { 200: 'The ban', 403: 'Not an admin' },
        responseBodies: { 200: banSchema },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { bans } }) => {
        requireAdmin(caller);
        const { userId } = pathParams(request, userPath);
        const body = await readJsonBody(request, banBody, { maxBytes: 2048 });
        return ok(await bans.ban(caller.userId, userId, body, context));
      }),
    },
    {
      kind: 'http',
      name: 'unbanUser',
      methods: ['DELETE'],
      route: 'moderation/bans/{userId}',
      doc: {
        summary: 'Lift a ban (admin)',
        responses: { 204: 'Lifted', 403: 'Not an admin', 404: 'No such ban' },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { bans } }) => {
        requireAdmin(caller);
        const { userId } = pathParams(request, userPath);
        if (!(await bans.unban(caller.userId, userId, context))) throw new NotFoundError('That user is not banned.');
        return noContent();
      }),
    },
    {
      kind: 'http',
      name: 'listBans',
      methods: ['GET'],
      route: 'moderation/bans',
      doc: {
        summary: 'Every ban in force or expired but not lifted, oldest first (admin)',
        responses: { 200: 'The bans', 403: 'Not an admin' },
        responseBodies: { 200: banPage },
      },
      handler: authenticatedHandler(services, async ({ caller, services: { bans } }) => {
        requireAdmin(caller);
        return ok({ items: await bans.list() });
      }),
    },
    {
      kind: 'http',
      name: 'listAudit',
      methods: ['GET'],
      route: 'moderation/audit',
      doc: {
        summary: 'The moderation audit trail, newest first (admin; kept MODERATION_AUDIT_DAYS)',
        query: pageQuery,
        responses: { 200: 'A page of entries', 403: 'Not an admin' },
        responseBodies: { 200: auditPage },
      },
      handler: authenticatedHandler(services, async ({ request, caller, services: { audit } }) => {
        requireAdmin(caller);
        const query = queryParams(request, pageQuery);
        return ok(await audit.list(query.maxPageSize ?? 50, query.continuationToken));
      }),
    },
  ];
}
