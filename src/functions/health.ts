import type { ServicesProvider } from '../composition';
import { type HealthReport, healthReportSchema } from '../health';
import { httpHandler } from '../http/handler';
import type { FunctionDefinition } from './definition';

/**
 * GET /api/health: anonymous; 200 when chat's dependencies answer (status `limited` when only live updates are out),
 * 503 otherwise, without details.
 */
export function healthFunctions(services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'http',
      name: 'health',
      methods: ['GET'],
      route: 'health',
      doc: {
        summary: 'Health of the backend and its dependencies',
        anonymous: true,
        responses: {
          200: 'Chat works (`limited`: live updates are unavailable, clients poll)',
          503: 'A dependency chat needs is unavailable (Retry-After: 2)',
        },
        responseBodies: { 200: healthReportSchema, 503: healthReportSchema },
      },
      handler: httpHandler(async () => {
        const report = await services()
          .then((resolved) => resolved.health.report())
          .catch((): HealthReport => ({ status: 'degraded', checks: { storage: 'unavailable', acs: 'unavailable' } }));
        const ok = report.status !== 'degraded';
        return {
          status: ok ? 200 : 503,
          jsonBody: report,
          headers: { 'Cache-Control': 'no-store', ...(ok ? {} : { 'Retry-After': '2' }) },
        };
      }),
    },
  ];
}
