import { type Attributes, type Counter, type Gauge, type Histogram, metrics } from '@opentelemetry/api';

import { METRICS } from './catalogue';

export const INSTRUMENTATION_NAME = 'acs-chat-backend';

type Instrument<K extends keyof typeof METRICS> = (typeof METRICS)[K]['kind'] extends 'counter'
  ? Counter
  : (typeof METRICS)[K]['kind'] extends 'histogram'
    ? Histogram
    : Gauge;

export type Instruments = { [K in keyof typeof METRICS]: Instrument<K> };

let current: Instruments | undefined;

/**
 * The metric instruments of the global meter provider. Created on first use: the OpenTelemetry API has no proxy for
 * meters (unlike tracers), so instruments made before the SDK registers its provider would stay no-ops; the SDK set-up
 * calls `forgetInstruments` after registering.
 */
export function instruments(): Instruments {
  current ??= createInstruments();
  return current;
}

export function forgetInstruments(): void {
  current = undefined;
}

function createInstruments(): Instruments {
  const meter = metrics.getMeter(INSTRUMENTATION_NAME);
  const made: Partial<Record<keyof typeof METRICS, Counter | Histogram | Gauge>> = {};
  const entries = Object.entries(METRICS) as [keyof typeof METRICS, (typeof METRICS)[keyof typeof METRICS]][];
  for (const [key, definition] of entries) {
    const options = { unit: definition.unit, description: definition.description };
    made[key] =
      definition.kind === 'counter'
        ? meter.createCounter(definition.name, options)
        : definition.kind === 'histogram'
          ? meter.createHistogram(definition.name, options)
          : meter.createGauge(definition.name, options);
  }
  return made as Instruments;
}

/** Adds `value` to a counter, never letting telemetry fail the work it describes. */
export function count(name: keyof Instruments, attributes: Attributes, value = 1): void {
  const instrument = instruments()[name];
  if ('add' in instrument) instrument.add(value, attributes);
}
