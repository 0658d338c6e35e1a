import type { ServicesProvider } from '../composition';
import type { FunctionDefinition } from './definition';
import { healthFunctions } from './health';

/** The whole route table. */
export function buildFunctionTable(services: ServicesProvider): FunctionDefinition[] {
  return [...healthFunctions(services)];
}
