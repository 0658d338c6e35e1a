import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

import { ATTRIBUTES, type UpstreamService } from './catalogue';
import { count, INSTRUMENTATION_NAME } from './instruments';
import { describeUpstreamCall } from './upstream-operations';

/** Which service a call is to: one service per client, or ACS (one endpoint for Identity, Chat and Email). */
export type UpstreamKind = Exclude<UpstreamService, 'acs.identity' | 'acs.chat' | 'acs.email'> | 'acs';

/**
 * A per-attempt pipeline policy for the Azure SDK clients: each HTTP attempt is a CLIENT span, a child of the request
 * or event being handled, named by service and operation (`acs.chat sendChatMessage`), with the status it got; and it
 * counts in `chat.upstream.calls`. Only the operation, the status and the host are recorded: never the URL (ids),
 * the query (SAS signatures), headers (keys, tokens) or bodies (message content).
 */
export function upstreamTelemetryPolicy(kind: UpstreamKind): PipelinePolicy {
  const tracer = trace.getTracer(INSTRUMENTATION_NAME);
  return {
    name: `upstreamTelemetry-${kind}`,
    async sendRequest(request, next) {
      const url = new URL(request.url);
      const call = describeUpstreamCall(serviceOf(kind, url), request.method, url);
      const attributes = {
        [ATTRIBUTES.upstreamService]: call.service,
        [ATTRIBUTES.upstreamOperation]: call.operation,
        ...(call.table ? { [ATTRIBUTES.table]: call.table } : {}),
        'server.address': url.hostname,
        'http.request.method': request.method,
      };
      return tracer.startActiveSpan(
        `${call.service} ${call.operation}`,
        { kind: SpanKind.CLIENT, attributes },
        async (span) => {
          let status = 'error';
          try {
            const response = await next(request);
            status = String(response.status);
            span.setAttribute('http.response.status_code', response.status);
            span.setAttribute(ATTRIBUTES.upstreamStatus, status);
            if (response.status >= 500 || response.status === 429) span.setStatus({ code: SpanStatusCode.ERROR });
            return response;
          } catch (error) {
            const answered = (error as { statusCode?: unknown }).statusCode;
            if (typeof answered === 'number') status = String(answered);
            span.setAttribute(ATTRIBUTES.upstreamStatus, status);
            span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw error;
          } finally {
            count('upstreamCalls', {
              [ATTRIBUTES.upstreamService]: call.service,
              [ATTRIBUTES.upstreamOperation]: call.operation,
              [ATTRIBUTES.upstreamStatus]: status,
            });
            span.end();
          }
        },
      );
    },
  };
}

function serviceOf(kind: UpstreamKind, url: URL): UpstreamService {
  if (kind !== 'acs') return kind;
  const first = url.pathname.split('/')[1]?.toLowerCase() ?? '';
  if (first === 'chat') return 'acs.chat';
  if (first.startsWith('emails')) return 'acs.email';
  return 'acs.identity';
}
