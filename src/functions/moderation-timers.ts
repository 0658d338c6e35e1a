import type { ServicesProvider } from '../composition';
import type { AppConfig } from '../config';
import type { FunctionDefinition, TimerFunctionDefinition } from './definition';

/** Audit entries deleted per daily run; a backlog (a shortened retention) goes over the following days. */
const AUDIT_DELETIONS_PER_RUN = 5_000;

/**
 * `recheckModeration` (only with Content Safety configured): checks the messages queued while Content Safety was
 * unavailable, oldest due first, a bounded number per run. `pruneModerationAudit`: deletes audit entries older than
 * MODERATION_AUDIT_DAYS, daily.
 */
export function moderationTimerFunctions(config: AppConfig, services: ServicesProvider): FunctionDefinition[] {
  const contentSafety = config.moderation.contentSafety;
  const recheck: TimerFunctionDefinition[] = contentSafety
    ? [
        {
          kind: 'timer',
          name: 'recheckModeration',
          schedule: contentSafety.recheckSchedule,
          handler: async (_timer, context) => {
            const { screening } = await services();
            const counts = await screening?.recheckQueued(context);
            if (counts && Object.values(counts).some((count) => count > 0)) context.log('queued checks run', counts);
          },
        },
      ]
    : [];
  return [
    ...recheck,
    {
      kind: 'timer',
      name: 'pruneModerationAudit',
      schedule: '0 30 3 * * *',
      handler: async (_timer, context) => {
        const { audit } = await services();
        const result = await audit.prune(AUDIT_DELETIONS_PER_RUN);
        if (result.deleted > 0) context.log('expired audit entries deleted', result);
      },
    },
  ];
}
