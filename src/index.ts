import { app } from '@azure/functions';

import { createServices, lazyServices } from './composition';
import { loadConfig } from './config';
import { buildFunctionTable } from './functions';

// Validate settings at start: a missing or malformed setting stops the host with a message naming it.
const config = loadConfig(process.env);
const services = lazyServices(() => createServices(config));

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
