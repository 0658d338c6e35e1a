import type { ServicesProvider } from '../composition';
import type { AppConfig } from '../config';
import type { FunctionDefinition } from './definition';
import { healthFunctions } from './health';
import { tokenFunctions } from './token';
import { threadFunctions } from './threads';
import { messageFunctions } from './messages';
import { participantFunctions } from './participants';
import { pruneFunctions } from './prune';
import { openApiFunctions } from './openapi';

/** The whole route table. */
export function buildFunctionTable(config: AppConfig, services: ServicesProvider): FunctionDefinition[] {
  const table = [
    ...healthFunctions(services),
    ...tokenFunctions(services),
    ...threadFunctions(services),
    ...messageFunctions(services),
    ...participantFunctions(services),
    ...pruneFunctions(config, services),
  ];
  return [...table, ...openApiFunctions(table)];
}
