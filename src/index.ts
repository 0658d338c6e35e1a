import { app } from '@azure/functions';

import type { Services } from './composition';
import { loadConfig } from './config';
import { buildFunctionTable } from './functions';
import type { FunctionDefinition } from './functions/definition';
import { describeError } from './logging';
import { memoizeAsync } from './memo';

// Validate settings at start: a missing or malformed setting stops the host with a message naming it.
const config = loadConfig(process.env);
// The OpenTelemetry SDK loads (a chunk of its own) only when telemetry is exported: Application Insights in Azure, or
// an OTLP collector. Invocations wait for it, so that the first one is traced too.
const telemetryStarted =
  config.telemetry.azureMonitor || config.telemetry.otlpEndpoint
    ? import('./telemetry/sdk.js')
        .then(({ startTelemetry }) => {
          const telemetry = startTelemetry(config.telemetry);
          app.hook.appTerminate(() => telemetry.shutdown());
        })
        // Telemetry never stops the app: without it, invocations run untraced.
        .catch((error: unknown) => console.warn(`telemetry not started: ${describeError(error).message}`))
    : undefined;
// The Azure SDK clients load on the first invocation that needs them, not at start, so that the host indexes the
// functions sooner (cold start; the bundle puts them in a chunk of their own). Built once, retried after a failure.
const services = memoizeAsync(async (): Promise<Services> => (await import('./composition.js')).createServices(config));

for (const definition of buildFunctionTable(config, services).map(afterTelemetry)) {
  switch (definition.kind) {
    case 'http':
      app.http(definition.name, {
        methods: definition.methods,
        route: definition.route,
        // Authentication is ours (JWT bearer), not function keys.
        authLevel: 'anonymous',
        handler: definition.handler,
      });
      break;
    case 'timer':
      app.timer(definition.name, { schedule: definition.schedule, handler: definition.handler });
      break;
    case 'eventGrid':
      app.eventGrid(definition.name, { handler: definition.handler });
      break;
  }
}

/** The handler, run once the telemetry SDK (if any) is registered. */
function afterTelemetry<T extends FunctionDefinition>(definition: T): T {
  const started = telemetryStarted;
  if (!started) return definition;
  const handler = definition.handler as (...args: unknown[]) => unknown;
  return {
    ...definition,
    handler: async (...args: unknown[]) => {
      await started;
      return handler(...args);
    },
  };
}
