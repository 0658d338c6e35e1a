import type { ServicesProvider } from '../composition';
import type { AppConfig } from '../config';
import { ForbiddenError } from '../errors';
import { authenticatedHandler } from '../http/authenticated';
import { readJsonBody } from '../http/body';
import { ok } from '../http/handler';
import { pruneRequestBody } from '../pruning/schemas';
import { pruneSummarySchema } from '../pruning/summary';
import type { FunctionDefinition } from './definition';

/** The timer's budget: well inside the 5-minute default timeout of the Consumption plan (Flex allows 30). */
const TIMER_BUDGET_MS = 4 * 60 * 1000;
const ON_DEMAND_BUDGET_MS = 60 * 1000;
/**
 * Not `admin/prune`: the Functions host reserves routes starting with `admin` (whatever the route prefix) for its
 * own admin API and refuses to register such a function ("The specified route conflicts with one or more built in
 * routes"), so that route would work in the dev host and be missing in Azure.
 */
export const PRUNE_ROUTE = 'maintenance/prune';

/** The `pruneThreads` timer on PRUNE_SCHEDULE, and `POST /api/maintenance/prune` (admin role) to run it now. */
export function pruneFunctions(config: AppConfig, services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'timer',
      name: 'pruneThreads',
      schedule: config.pruning.schedule,
      handler: async (_timer, context) => {
        const { pruning } = await services();
        await pruning.run({ budgetMs: TIMER_BUDGET_MS, context });
      },
    },
    {
      kind: 'http',
      name: 'pruneNow',
      methods: ['POST'],
      route: PRUNE_ROUTE,
      doc: {
        summary: 'Run pruning now (admin)',
        body: pruneRequestBody,
        responses: { 200: 'The run summary', 403: 'Not an admin' },
        responseBodies: { 200: pruneSummarySchema },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { pruning } }) => {
        if (!caller.isAdmin) throw new ForbiddenError('Only an admin may prune threads.', 'AdminRoleRequired');
        const body = await readJsonBody(request, pruneRequestBody, { maxBytes: 1024, optional: true });
        const budgetMs = body.budgetSeconds !== undefined ? body.budgetSeconds * 1000 : ON_DEMAND_BUDGET_MS;
        return { ...ok(await pruning.run({ budgetMs, context })), headers: { 'Cache-Control': 'no-store' } };
      }),
    },
  ];
}
