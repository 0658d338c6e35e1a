import { hostname } from 'node:os';

import { ManagedIdentityCredential } from '@azure/identity';
import {
  type AzureMonitorExporterOptions,
  AzureMonitorMetricExporter,
  AzureMonitorTraceExporter,
} from '@azure/monitor-opentelemetry-exporter';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, type MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { ConsoleMetricExporter } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

import type { TelemetryConfig } from '../config';
import { forgetInstruments } from './instruments';
import { ChatSampler } from './sampler';

/**
 * The OpenTelemetry SDK: loaded (a chunk of its own) only when telemetry is exported, so that an app without it pays
 * nothing at start. Registers the global tracer and meter providers, the async context manager and W3C propagation;
 * the code only ever uses `@opentelemetry/api`.
 *
 * Not `@azure/monitor-opentelemetry` (the distro): its automatic instrumentations patch modules through `require`
 * hooks, which see nothing in our bundle, and its http and Azure SDK instrumentations would record raw URLs (thread and
 * user ids, Tables keys); our own spans (invocation-spans.ts, upstream-policy.ts) name operations instead. Its exporter
 * (`@azure/monitor-opentelemetry-exporter`) is what ships telemetry to Application Insights, keyless with Entra ID.
 */
export interface TelemetryExport {
  /** Where spans and metrics go, besides the configured exporters (tests: in-memory; the dev stack: console). */
  spanProcessors?: SpanProcessor[];
  metricReaders?: MetricReader[];
  /** Print spans and metrics to the console (DEV_TELEMETRY=console in the dev stack). */
  console?: boolean;
  /** How often metrics are exported (default 60 s). */
  metricIntervalMs?: number;
}

export interface TelemetryHandle {
  flush(): Promise<void>;
  /** Flushes, then unregisters the global providers. */
  shutdown(): Promise<void>;
}

export function startTelemetry(config: TelemetryConfig, extra: TelemetryExport = {}): TelemetryHandle {
  const resource = resourceFromAttributes({
    'service.name': process.env.WEBSITE_SITE_NAME ?? 'acs-chat-backend',
    'service.instance.id': process.env.WEBSITE_INSTANCE_ID ?? hostname(),
  });
  const intervalMs = extra.metricIntervalMs ?? 60_000;
  const periodic = (exporter: ConstructorParameters<typeof PeriodicExportingMetricReader>[0]['exporter']) =>
    new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: intervalMs });

  const spanProcessors: SpanProcessor[] = [...(extra.spanProcessors ?? [])];
  const metricReaders: MetricReader[] = [...(extra.metricReaders ?? [])];
  if (config.azureMonitor) {
    const options: AzureMonitorExporterOptions = {
      connectionString: config.azureMonitor.connectionString,
      ...(config.azureMonitor.aad
        ? {
            credential: config.azureMonitor.aad.clientId
              ? new ManagedIdentityCredential({ clientId: config.azureMonitor.aad.clientId })
              : new ManagedIdentityCredential(),
          }
        : {}),
    };
    spanProcessors.push(new BatchSpanProcessor(new AzureMonitorTraceExporter(options)));
    metricReaders.push(periodic(new AzureMonitorMetricExporter(options)));
  }
  if (config.otlpEndpoint) {
    const base = config.otlpEndpoint.replace(/\/+$/, '');
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` })));
    metricReaders.push(periodic(new OTLPMetricExporter({ url: `${base}/v1/metrics` })));
  }
  if (extra.console) {
    spanProcessors.push(new BatchSpanProcessor(new ConsoleSpanExporter(), { scheduledDelayMillis: 1_000 }));
    metricReaders.push(periodic(new ConsoleMetricExporter()));
  }

  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors,
    sampler: new ChatSampler(
      config.tracesPerSecond !== undefined ? { perSecond: config.tracesPerSecond } : { ratio: config.samplingRatio },
    ),
  });
  const meterProvider = new MeterProvider({ resource, readers: metricReaders });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  forgetInstruments();

  const flush = async (): Promise<void> => {
    await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush()]);
  };
  return {
    flush,
    shutdown: async () => {
      await flush().catch(() => undefined);
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]).catch(() => undefined);
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
      forgetInstruments();
    },
  };
}
