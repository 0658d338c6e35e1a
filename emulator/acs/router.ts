import { EMAIL_ROUTES } from '../email/routes';

/** The ACS route table: method + path pattern -> stable operation name. `{}` marks a path parameter. */

export interface RouteMatch {
  operation: string;
  params: string[];
}

const ROUTES: [method: string, pattern: string, operation: string][] = [
  ['POST', 'identities', 'identity.createUser'],
  ['DELETE', 'identities/{}', 'identity.deleteUser'],
  ['POST', 'identities/{}/:issueAccessToken', 'identity.issueToken'],
  ['POST', 'identities/{}/:revokeAccessTokens', 'identity.revokeTokens'],
  ['POST', 'teamsUser/:exchangeAccessToken', 'identity.exchangeTeamsToken'],
  ['POST', 'chat/threads', 'chat.createThread'],
  ['GET', 'chat/threads', 'chat.listThreads'],
  ['GET', 'chat/threads/{}', 'chat.getThread'],
  ['PATCH', 'chat/threads/{}', 'chat.updateThread'],
  ['DELETE', 'chat/threads/{}', 'chat.deleteThread'],
  ['POST', 'chat/threads/{}/messages', 'chat.sendMessage'],
  ['GET', 'chat/threads/{}/messages', 'chat.listMessages'],
  ['GET', 'chat/threads/{}/messages/{}', 'chat.getMessage'],
  ['PATCH', 'chat/threads/{}/messages/{}', 'chat.updateMessage'],
  ['DELETE', 'chat/threads/{}/messages/{}', 'chat.deleteMessage'],
  ['GET', 'chat/threads/{}/participants', 'chat.listParticipants'],
  ['POST', 'chat/threads/{}/participants/:add', 'chat.addParticipants'],
  ['POST', 'chat/threads/{}/participants/:remove', 'chat.removeParticipant'],
  ['POST', 'chat/threads/{}/typing', 'chat.sendTyping'],
  ['POST', 'chat/threads/{}/readReceipts', 'chat.sendReadReceipt'],
  ['GET', 'chat/threads/{}/readReceipts', 'chat.listReadReceipts'],
  ...EMAIL_ROUTES,
];

const COMPILED = ROUTES.map(([method, pattern, operation]) => ({ method, parts: pattern.split('/'), operation }));

/** Every operation name the emulator counts, for documentation and validation. */
export const OPERATIONS: readonly string[] = ROUTES.map((r) => r[2]);

/** Splits a raw path into decoded segments; undefined when a segment is not valid percent-encoding. */
export function pathSegments(rawPath: string): string[] | undefined {
  const out: string[] = [];
  for (const s of rawPath.split('/')) {
    if (s === '') continue;
    try {
      out.push(s.includes('%') ? decodeURIComponent(s) : s);
    } catch {
      return undefined;
    }
  }
  return out;
}

/** The matching route, `'method'` when the path exists with another method, or undefined. */
export function matchRoute(method: string, segments: readonly string[]): RouteMatch | 'method' | undefined {
  let pathMatched = false;
  for (const r of COMPILED) {
    if (r.parts.length !== segments.length) continue;
    const params: string[] = [];
    let ok = true;
    for (let i = 0; i < r.parts.length; i++) {
      const part = r.parts[i];
      const seg = segments[i] ?? '';
      if (part === '{}') params.push(seg);
      else if (part !== seg) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (r.method === method) return { operation: r.operation, params };
    pathMatched = true;
  }
  return pathMatched ? 'method' : undefined;
}
