import { context, propagation } from '@opentelemetry/api';

import { BACKEND_METADATA_PREFIX } from '../attachments/attachment-schemas';

/**
 * The W3C `traceparent` of the request that sent or edited a message, kept in the message's metadata (a key clients
 * cannot set or see through the API), so that the message's events link their handling back to that request across
 * the Event Grid hop. A trace id says nothing about the message or its people.
 */
export const TRACE_METADATA_KEY = `${BACKEND_METADATA_PREFIX}trace`;

/** `{ [TRACE_METADATA_KEY]: traceparent }` for the active span, or nothing when telemetry is off. */
export function traceMetadata(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? { [TRACE_METADATA_KEY]: carrier.traceparent } : {};
}
