import { analyzeText } from './analyze';
import { blocklistHandlers, type CsHandler } from './blocklist-routes';

/** The route table: method + path (under `/contentsafety`) → stable operation name and handler. */

const NAME = '([^/:]+)';
const LISTS = '/contentsafety/text/blocklists';

const ROUTES: [method: string, path: string, operation: string][] = [
  ['POST', '/contentsafety/text:analyze', 'text.analyze'],
  ['GET', LISTS, 'blocklists.list'],
  ['GET', `${LISTS}/${NAME}`, 'blocklists.get'],
  ['PATCH', `${LISTS}/${NAME}`, 'blocklists.createOrUpdate'],
  ['DELETE', `${LISTS}/${NAME}`, 'blocklists.delete'],
  ['POST', `${LISTS}/${NAME}:addOrUpdateBlocklistItems`, 'blocklists.addOrUpdateItems'],
  ['POST', `${LISTS}/${NAME}:removeBlocklistItems`, 'blocklists.removeItems'],
  ['GET', `${LISTS}/${NAME}/blocklistItems`, 'blocklists.listItems'],
  ['GET', `${LISTS}/${NAME}/blocklistItems/([^/]+)`, 'blocklists.getItem'],
];

const HANDLERS: Record<string, CsHandler> = {
  'text.analyze': analyzeText,
  ...blocklistHandlers,
};

const COMPILED = ROUTES.map(([method, path, operation]) => ({
  method,
  pattern: new RegExp(`^${path}$`),
  operation,
  handle: HANDLERS[operation] as CsHandler,
}));

/** Every operation name the emulator counts (fault injection also takes `text.*`, `blocklists.*` and `*`). */
export const OPERATIONS: readonly string[] = ROUTES.map((r) => r[2]);

export interface RouteMatch {
  operation: string;
  params: string[];
  handle: CsHandler;
}

/** The route for a decoded path, `'method'` when the path exists with another method, or undefined. */
export function matchRoute(method: string, path: string): RouteMatch | 'method' | undefined {
  let pathMatched = false;
  for (const r of COMPILED) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    if (r.method === method) return { operation: r.operation, params: m.slice(1), handle: r.handle };
    pathMatched = true;
  }
  return pathMatched ? 'method' : undefined;
}
