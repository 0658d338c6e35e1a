import type { ServicesProvider } from '../composition';
import { exportPageSchema, exportQuery } from '../export/export-schemas';
import { authenticatedHandler } from '../http/authenticated';
import { ok } from '../http/handler';
import { queryParams } from '../http/request-parts';
import type { FunctionDefinition } from './definition';

/** GET /api/me/export: the caller's data, a thread per page (follow continuationToken until it is absent). */
export function exportFunctions(services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'http',
      name: 'exportMyData',
      methods: ['GET'],
      route: 'me/export',
      doc: {
        summary:
          "The caller's data: profile and settings (first page), then each of their threads with their own messages " +
          'and read mark, a thread per page',
        query: exportQuery,
        responses: { 200: 'A page of the export' },
        responseBodies: { 200: exportPageSchema },
      },
      handler: authenticatedHandler(services, async ({ request, caller, context, services: { exporter } }) => {
        const { continuationToken } = queryParams(request, exportQuery);
        return {
          ...ok(await exporter.page({ caller, context }, continuationToken)),
          headers: { 'Cache-Control': 'no-store' },
        };
      }),
    },
  ];
}
