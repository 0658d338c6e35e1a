import type { FunctionDefinition } from './definition';
import { httpHandler } from '../http/handler';
import type { ServicesProvider } from '../composition';

/** GET /api/health: anonymous; 200 when every dependency answers, 503 otherwise, without details. */
export function healthFunctions(services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'http',
      name: 'health',
      methods: ['GET'],
      route: 'health',
      handler: httpHandler(async () => {
        const report = await (await services()).health.report();
        return {
          status: report.status === 'ok' ? 200 : 503,
          jsonBody: report,
          headers: { 'Cache-Control': 'no-store' },
        };
      }),
    },
  ];
}
