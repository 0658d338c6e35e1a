import type { ServicesProvider } from '../composition';
import type { AppConfig } from '../config';
import type { FunctionDefinition } from './definition';

/**
 * `enforceRetention`: deletes the rows that have outlived their retention (src/storage/table-catalogue.ts), a bounded
 * number per run (RETENTION_DELETIONS_PER_RUN), resuming where the last run stopped.
 */
export function retentionFunctions(config: AppConfig, services: ServicesProvider): FunctionDefinition[] {
  return [
    {
      kind: 'timer',
      name: 'enforceRetention',
      schedule: config.retention.schedule,
      handler: async (_timer, context) => {
        const { retention } = await services();
        await retention.run(context);
      },
    },
  ];
}
