import type { UpstreamService } from './catalogue';

/** What a dependency span and the upstream-call metric say about one HTTP call: never an id, a key or a query. */
export interface UpstreamCall {
  service: UpstreamService;
  operation: string;
  /** The Azure Table a Tables call touched (table names are ours, never user data). */
  table?: string;
}

/**
 * Path segments that are the same for every call (the rest are ids: threads, messages, users, hubs, operations…).
 * Anything not listed here is replaced by `{}`, so a new kind of id can never leak into telemetry.
 */
const FIXED_SEGMENTS = new Set([
  'chat',
  'threads',
  'messages',
  'participants',
  ':add',
  ':remove',
  'readreceipts',
  'typing',
  'identities',
  ':issueaccesstoken',
  ':revokeaccesstokens',
  'teamsuser',
  ':exchangeaccesstoken',
  'emails:send',
  'emails',
  'operations',
  'api',
  'hubs',
  'users',
  'groups',
  'connections',
  ':send',
  ':generatetoken',
  ':closeconnections',
  ':addtogroups',
  ':removefromgroups',
  'permissions',
  'health',
  'contentsafety',
  'text:analyze',
  'text',
  'blocklists',
  'blocklistitems',
  ':addorupdateblocklistitems',
  ':removeblocklistitems',
  'tables',
  '$batch',
]);

/** Collections whose next segment is an id. */
const ID_AFTER = new Set([
  'threads',
  'messages',
  'identities',
  'operations',
  'hubs',
  'users',
  'groups',
  'connections',
  'blocklists',
  'blocklistitems',
  'permissions',
]);

/** Well-known operations by method and path template; others are named by their template. */
const OPERATIONS: Record<string, string> = {
  'POST /chat/threads': 'createChatThread',
  'GET /chat/threads': 'listChatThreads',
  'GET /chat/threads/{}': 'getChatThreadProperties',
  'PATCH /chat/threads/{}': 'updateChatThreadProperties',
  'DELETE /chat/threads/{}': 'deleteChatThread',
  'POST /chat/threads/{}/messages': 'sendChatMessage',
  'GET /chat/threads/{}/messages': 'listChatMessages',
  'GET /chat/threads/{}/messages/{}': 'getChatMessage',
  'PATCH /chat/threads/{}/messages/{}': 'updateChatMessage',
  'DELETE /chat/threads/{}/messages/{}': 'deleteChatMessage',
  'GET /chat/threads/{}/participants': 'listChatParticipants',
  'POST /chat/threads/{}/participants/:add': 'addChatParticipants',
  'POST /chat/threads/{}/participants/:remove': 'removeChatParticipant',
  'POST /chat/threads/{}/readreceipts': 'sendChatReadReceipt',
  'GET /chat/threads/{}/readreceipts': 'listChatReadReceipts',
  'POST /chat/threads/{}/typing': 'sendTypingNotification',
  'POST /identities': 'createIdentity',
  'DELETE /identities/{}': 'deleteIdentity',
  'POST /identities/{}/:issueaccesstoken': 'issueAccessToken',
  'POST /identities/{}/:revokeaccesstokens': 'revokeAccessTokens',
  'POST /teamsuser/:exchangeaccesstoken': 'exchangeTeamsUserAccessToken',
  'POST /emails:send': 'sendEmail',
  'GET /emails/operations/{}': 'getSendResult',
  'POST /api/hubs/{}/users/{}/:send': 'sendToUser',
  'POST /api/hubs/{}/groups/{}/:send': 'sendToGroup',
  'POST /api/hubs/{}/:send': 'sendToAll',
  'POST /api/hubs/{}/:generatetoken': 'generateClientToken',
  'POST /api/hubs/{}/users/{}/:closeconnections': 'closeUserConnections',
  'HEAD /api/hubs/{}/users/{}': 'userExists',
  'PUT /api/hubs/{}/users/{}/groups/{}': 'addUserToGroup',
  'DELETE /api/hubs/{}/users/{}/groups/{}': 'removeUserFromGroup',
  'DELETE /api/hubs/{}/users/{}/groups': 'removeUserFromAllGroups',
  'POST /contentsafety/text:analyze': 'analyzeText',
};

/** Names an HTTP call to an upstream service from its method and URL. */
export function describeUpstreamCall(service: UpstreamService, method: string, url: string | URL): UpstreamCall {
  const path = (typeof url === 'string' ? new URL(url) : url).pathname;
  if (service === 'tables') return describeTablesCall(method, path);
  const segments = path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => decodeSegment(segment).toLowerCase());
  // A segment after a collection is an id whatever it looks like (a hub or thread id may well be `chat`).
  const template = `/${segments
    .map((segment, index) =>
      FIXED_SEGMENTS.has(segment) && !ID_AFTER.has(segments[index - 1] ?? '') ? segment : segmentWithAction(segment),
    )
    .join('/')}`;
  const key = `${method.toUpperCase()} ${template}`;
  return { service, operation: OPERATIONS[key] ?? key };
}

/** `19:abc@thread.v2:suffix`-like segments keep nothing; an id followed by an `:action` keeps the action. */
function segmentWithAction(segment: string): string {
  const action = /(:[a-z]+)$/.exec(segment)?.[1];
  return action && FIXED_SEGMENTS.has(action) ? `{}/${action}` : '{}';
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

/**
 * Tables: `POST /Inbox` inserts, `GET /Inbox(PartitionKey='…',RowKey='…')` reads one entity, `GET /Inbox()` queries,
 * `$batch` is a transaction, `/Tables` manages tables. Azurite puts the account name first in the path.
 */
function describeTablesCall(method: string, path: string): UpstreamCall {
  const segments = path.split('/').filter((segment) => segment !== '');
  const last = decodeSegment(segments.at(-1) ?? '');
  const verb = method.toUpperCase();
  if (last === '$batch') return { service: 'tables', operation: 'submitTransaction' };
  if (/^Tables(\(|$)/.test(last))
    return { service: 'tables', operation: verb === 'POST' ? 'createTable' : `${verb} /Tables` };
  const open = last.indexOf('(');
  const name = open < 0 ? last : last.slice(0, open);
  const keys = open < 0 ? '' : last.slice(open + 1, last.lastIndexOf(')'));
  const table = TABLE_NAME.test(name) ? name : undefined;
  const operation =
    verb === 'POST'
      ? 'insertEntity'
      : verb === 'GET'
        ? keys === ''
          ? 'queryEntities'
          : 'getEntity'
        : verb === 'DELETE'
          ? 'deleteEntity'
          : verb === 'PUT'
            ? 'replaceEntity'
            : 'mergeEntity';
  return { service: 'tables', operation, ...(table ? { table } : {}) };
}
