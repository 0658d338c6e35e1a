import type { EventGridEvent, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import {
  type Attributes,
  context as otelContext,
  type Link,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

import type {
  EventGridFunctionDefinition,
  FunctionDefinition,
  HttpFunctionDefinition,
  TimerFunctionDefinition,
} from '../functions/definition';
import { ATTRIBUTES } from './catalogue';
import { count, INSTRUMENTATION_NAME, instruments } from './instruments';
import { pseudonyms } from './pseudonyms';
import { TRACE_METADATA_KEY } from './trace-metadata';

const tracer = () => trace.getTracer(INSTRUMENTATION_NAME);

/**
 * Every invocation is a span: HTTP requests (named by route template), Event Grid events (by type, with the event's
 * id, its lag and a link to the request that sent the message), timer runs (by function). Under the Functions host
 * the span is a child of the host's invocation span (INTERNAL); with no host trace (the dev host) it is the root
 * (SERVER / CONSUMER). Logs written through the invocation context carry the trace and span ids.
 */
export function withInvocationSpans(definition: FunctionDefinition): FunctionDefinition {
  switch (definition.kind) {
    case 'http':
      return { ...definition, handler: tracedHttp(definition) };
    case 'eventGrid':
      return { ...definition, handler: tracedEvent(definition) };
    case 'timer':
      return { ...definition, handler: tracedTimer(definition) };
  }
}

function tracedHttp(definition: HttpFunctionDefinition): HttpFunctionDefinition['handler'] {
  const route = `/api/${definition.route}`;
  return (request: HttpRequest, context: InvocationContext) =>
    inSpan(
      context,
      `${request.method} ${route}`,
      SpanKind.SERVER,
      {
        'faas.trigger': 'http',
        'http.request.method': request.method,
        [ATTRIBUTES.route]: route,
      },
      [],
      async (span) => {
        // `params` may be missing on a request made up by a test harness rather than the host.
        if (span.isRecording())
          span.setAttributes(
            threadAttribute((request.params as Partial<Record<string, string>> | undefined)?.threadId),
          );
        const response = (await definition.handler(request, context)) as HttpResponseInit;
        const status = response.status ?? 200;
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        count('requests', {
          [ATTRIBUTES.route]: route,
          'http.request.method': request.method,
          'http.response.status_code': status,
        });
        return response;
      },
    );
}

function tracedEvent(definition: EventGridFunctionDefinition): EventGridFunctionDefinition['handler'] {
  const handled = new Set(definition.eventTypes);
  return (event: EventGridEvent, context: InvocationContext) => {
    const type = event.eventType.replace(/^Microsoft\.Communication\./, '');
    const data = (event.data ?? {}) as { threadId?: unknown; metadata?: unknown };
    return inSpan(
      context,
      `${definition.name} ${type}`,
      // Not CONSUMER: Application Insights names only SERVER spans' request rows (a root event span would be nameless).
      SpanKind.SERVER,
      {
        'faas.trigger': 'pubsub',
        'messaging.system': 'eventgrid',
        'messaging.operation.type': 'process',
        'messaging.message.id': event.id,
        [ATTRIBUTES.eventType]: type,
      },
      linksFrom(data.metadata),
      async (span) => {
        // Pseudonyms only for spans that are kept (an HMAC each, and the key's read on first need).
        if (span.isRecording()) {
          span.setAttributes({
            ...subjectAttribute(event.subject),
            ...threadAttribute(typeof data.threadId === 'string' ? data.threadId : undefined),
          });
        }
        const outcome = handled.has(event.eventType) ? 'handled' : 'ignored';
        const finish = (result: string): void => {
          const lagMs = Math.max(0, Date.now() - Date.parse(event.eventTime));
          span.setAttribute(ATTRIBUTES.eventOutcome, result);
          if (Number.isFinite(lagMs)) {
            span.setAttribute(ATTRIBUTES.eventLagMs, lagMs);
            instruments().eventLag.record(lagMs, { [ATTRIBUTES.eventType]: type });
          }
          count('events', { [ATTRIBUTES.eventType]: type, [ATTRIBUTES.eventOutcome]: result });
        };
        try {
          await definition.handler(event, context);
          finish(outcome);
        } catch (error) {
          finish('failed');
          throw error;
        }
      },
    );
  };
}

function tracedTimer(definition: TimerFunctionDefinition): TimerFunctionDefinition['handler'] {
  return (timer, context) =>
    inSpan(context, definition.name, SpanKind.SERVER, { 'faas.trigger': 'timer' }, [], () =>
      Promise.resolve(definition.handler(timer, context)),
    );
}

/** Runs `work` in a span that is the invocation's: child of the host's trace when there is one. */
async function inSpan<T>(
  context: InvocationContext,
  name: string,
  rootKind: SpanKind,
  attributes: Attributes,
  links: Link[],
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const hostTrace = context.traceContext?.traceParent;
  const parent = hostTrace
    ? propagation.extract(otelContext.active(), {
        traceparent: hostTrace,
        ...(context.traceContext?.traceState ? { tracestate: context.traceContext.traceState } : {}),
      })
    : otelContext.active();
  const hasParent = trace.getSpanContext(parent) !== undefined;
  return tracer().startActiveSpan(
    name,
    {
      kind: hasParent ? SpanKind.INTERNAL : rootKind,
      attributes: { ...attributes, 'faas.name': context.functionName, 'faas.invocation_id': context.invocationId },
      links,
    },
    parent,
    async (span) => {
      const restoreLogs = logWithTraceIds(context, span);
      try {
        return await work(span);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
        throw error;
      } finally {
        restoreLogs();
        span.end();
      }
    },
  );
}

/**
 * The event's subject (`thread/{threadId}/sender/{rawId}/recipient/{rawId}`) with each id in it pseudonymised, or
 * left out when it has ids and nothing may be said about them yet.
 */
function subjectAttribute(subject: string): Attributes {
  const parts = subject.split('/');
  const named = parts.map((part, index) => {
    // Every other part is an id: a thread's after `thread`, an ACS user's after anything else (sender, recipient…).
    if (index % 2 === 0) return part;
    return pseudonyms.of(parts[index - 1] === 'thread' ? 'thread' : 'acsUser', part);
  });
  return named.every((part) => part !== undefined) ? { 'eventgrid.subject': named.join('/') } : {};
}

function threadAttribute(threadId: string | undefined): Attributes {
  const value = threadId ? pseudonyms.of('thread', threadId) : undefined;
  return value ? { [ATTRIBUTES.thread]: value } : {};
}

/** The request that sent or edited a message left its trace in the message's metadata (see trace-metadata.ts). */
function linksFrom(metadata: unknown): Link[] {
  if (typeof metadata !== 'object' || metadata === null) return [];
  const traceparent = (metadata as Record<string, unknown>)[TRACE_METADATA_KEY];
  if (typeof traceparent !== 'string') return [];
  const linked = trace.getSpanContext(propagation.extract(otelContext.active(), { traceparent }));
  return linked ? [{ context: linked, attributes: { 'chat.link': 'sent-by-request' } }] : [];
}

const LOG_METHODS = ['log', 'trace', 'debug', 'info', 'warn', 'error'] as const;

/**
 * Structured logs keep going through the invocation context, now with `traceId` and `spanId` in their structured
 * part (the last argument when it is a plain object, else an object added after the message).
 */
function logWithTraceIds(context: InvocationContext, span: Span): () => void {
  const { traceId, spanId } = span.spanContext();
  if (!trace.isSpanContextValid(span.spanContext())) return () => undefined;
  const ids = { traceId, spanId };
  for (const method of LOG_METHODS) {
    // A context made up by a test harness may lack some of them.
    const original = (context[method] as InvocationContext['log'] | undefined)?.bind(context);
    if (original) context[method] = (...args: unknown[]) => original(...withIds(args, ids));
  }
  return () => {
    for (const method of LOG_METHODS) delete (context as unknown as Record<string, unknown>)[method];
  };
}

function withIds(args: unknown[], ids: { traceId: string; spanId: string }): unknown[] {
  const last = args.at(-1);
  if (args.length > 1 && isPlainObject(last)) return [...args.slice(0, -1), { ...last, ...ids }];
  return [...args, ids];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
