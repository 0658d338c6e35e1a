import { ApplicationInsightsSampler, RateLimitedSampler } from '@azure/monitor-opentelemetry-exporter';
import { type Attributes, type Context, type Link, type SpanKind, trace } from '@opentelemetry/api';
import { type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace-base';

/** Where Application Insights reads a span's sampling rate (percent), to count it as 100/rate items. */
const SAMPLE_RATE_ATTRIBUTE = 'microsoft.sample_rate';

/**
 * TELEMETRY_SAMPLING_RATIO keeps that share of traces, whole (decided once per trace id, as Application Insights' own
 * sampler does, so every span of a kept request or event is kept and Application Insights scales its counts by the
 * rate); TELEMETRY_TRACES_PER_SECOND instead keeps at most that many per second per instance (Application Insights'
 * rate-limited sampler: every trace while it is quiet, a shrinking share under load, so the cost stays bounded). Timer
 * runs are always kept, with their upstream calls: a daily pruning run sampled away would leave the pruning alerts
 * blind. Metrics are recorded whatever is sampled.
 */
export class ChatSampler implements Sampler {
  private readonly traces: Sampler;

  constructor(private readonly rule: { ratio: number } | { perSecond: number }) {
    this.traces =
      'perSecond' in rule ? new RateLimitedSampler(rule.perSecond) : new ApplicationInsightsSampler(rule.ratio);
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const parent = trace.getSpanContext(context);
    const root = parent === undefined || parent.isRemote === true;
    if (root && attributes['faas.trigger'] === 'timer') {
      // Its children inherit the rate from this attribute (the Application Insights sampler reads a local parent's).
      return { decision: SamplingDecision.RECORD_AND_SAMPLED, attributes: { [SAMPLE_RATE_ATTRIBUTE]: 100 } };
    }
    return this.traces.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `ChatSampler{${'perSecond' in this.rule ? `${this.rule.perSecond}/s` : this.rule.ratio}, timer runs always}`;
  }
}
