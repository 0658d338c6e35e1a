import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/**
 * Imported first in the `floor` side's app process (telemetry.bench.ts): OpenTelemetry's context manager and nothing
 * else (no tracer or meter provider, nothing recorded or exported). The app's spans are then no-op spans, but each
 * still runs its work in `context.with`, i.e. in an AsyncLocalStorage, which on Node hooks every promise of the
 * process: the least any OpenTelemetry tracing of a Node app costs, whatever it records.
 */
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
