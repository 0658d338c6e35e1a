import { app } from '@azure/functions';

import type { Services } from './composition';
import { loadConfig } from './config';
import { buildFunctionTable } from './functions';
import { memoizeAsync } from './memo';

// Validate settings at start: a missing or malformed setting stops the host with a message naming it.
const config = loadConfig(process.env);
// The Azure SDK clients load on the first invocation that needs them, not at start, so that the host indexes the
// functions sooner (cold start; the bundle puts them in a chunk of their own). Built once, retried after a failure.
const services = memoizeAsync(async (): Promise<Services> => (await import('./composition.js')).createServices(config));

for (const definition of buildFunctionTable(config, services)) {
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
