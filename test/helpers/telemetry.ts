import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type Histogram,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

import type { TelemetryExport } from '../../src/telemetry/sdk';

/** A metric reader the test collects from when it wants (cumulative: totals since the start). */
class CollectOnDemand extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface MetricPoint {
  name: string;
  attributes: Attributes;
  /** A counter's or gauge's value; a histogram's count. */
  value: number;
  sum?: number;
}

/** In-memory OpenTelemetry exporters for a test stack: every span as it ends, metrics on demand. */
export class InMemoryTelemetry {
  readonly spanExporter = new InMemorySpanExporter();
  private readonly reader = new CollectOnDemand();

  get export(): TelemetryExport {
    return { spanProcessors: [new SimpleSpanProcessor(this.spanExporter)], metricReaders: [this.reader] };
  }

  spans(): ReadableSpan[] {
    return this.spanExporter.getFinishedSpans();
  }

  async metrics(): Promise<MetricPoint[]> {
    const { resourceMetrics } = await this.reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) =>
      scope.metrics.flatMap((metric) =>
        (metric.dataPoints as DataPoint<number | Histogram>[]).map((point) => ({
          name: metric.descriptor.name,
          attributes: point.attributes,
          ...(metric.dataPointType === DataPointType.HISTOGRAM
            ? { value: (point.value as Histogram).count, sum: (point.value as Histogram).sum ?? 0 }
            : { value: point.value as number }),
        })),
      ),
    );
  }

  /** The value of the metric points named `name` whose attributes include `where`, summed. */
  async total(name: string, where: Attributes = {}): Promise<number> {
    return (await this.metrics())
      .filter((point) => point.name === name)
      .filter((point) => Object.entries(where).every(([key, value]) => point.attributes[key] === value))
      .reduce((sum, point) => sum + point.value, 0);
  }
}

/** The spans of one trace, and each span's parent by span id. */
export function traceOf(spans: ReadableSpan[], traceId: string): ReadableSpan[] {
  return spans.filter((span) => span.spanContext().traceId === traceId);
}

/** Whether `span` descends from `ancestor` through parents in `spans`. */
export function descendsFrom(span: ReadableSpan, ancestor: ReadableSpan, spans: ReadableSpan[]): boolean {
  const bySpanId = new Map(spans.map((candidate) => [candidate.spanContext().spanId, candidate]));
  let parentId = span.parentSpanContext?.spanId;
  while (parentId) {
    if (parentId === ancestor.spanContext().spanId) return true;
    parentId = bySpanId.get(parentId)?.parentSpanContext?.spanId;
  }
  return false;
}
