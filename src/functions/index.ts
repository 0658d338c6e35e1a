import type { ServicesProvider } from '../composition';
import type { AppConfig } from '../config';
import { withInvocationSpans } from '../telemetry/invocation-spans';
import { attachmentFunctions } from './attachments';
import { chatEventFunctions } from './chat-events';
import type { FunctionDefinition } from './definition';
import { erasureFunctions } from './erasure';
import { exportFunctions } from './export';
import { healthFunctions } from './health';
import { inboxFunctions } from './inbox';
import { messageFunctions } from './messages';
import { moderationFunctions } from './moderation';
import { moderationTimerFunctions } from './moderation-timers';
import { notificationFunctions } from './notifications';
import { openApiFunctions } from './openapi';
import { participantFunctions } from './participants';
import { pruneFunctions } from './prune';
import { realtimeFunctions } from './realtime';
import { retentionFunctions } from './retention';
import { threadFunctions } from './threads';
import { tokenFunctions } from './token';

/** The whole route table. */
export function buildFunctionTable(config: AppConfig, services: ServicesProvider): FunctionDefinition[] {
  const table = [
    ...healthFunctions(services),
    ...tokenFunctions(services),
    ...threadFunctions(services),
    ...messageFunctions(services),
    ...attachmentFunctions(services),
    ...participantFunctions(services),
    ...inboxFunctions(services),
    ...exportFunctions(services),
    ...realtimeFunctions(services),
    ...moderationFunctions(services),
    ...moderationTimerFunctions(config, services),
    ...notificationFunctions(config, services),
    ...pruneFunctions(config, services),
    ...retentionFunctions(config, services),
    ...chatEventFunctions(services),
    ...erasureFunctions(services),
  ];
  // Every invocation is a span (src/telemetry/invocation-spans.ts); a no-op while no telemetry SDK is registered.
  return [...table, ...openApiFunctions(table)].map(withInvocationSpans);
}
