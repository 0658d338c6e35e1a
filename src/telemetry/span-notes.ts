import { type AttributeValue, trace } from '@opentelemetry/api';

import { ATTRIBUTES } from './catalogue';
import { pseudonyms } from './pseudonyms';

/** Names the app user the current request acts for on its span (pseudonymised unless allowed). */
export function noteUser(userId: string): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  const value = pseudonyms.of('user', userId);
  if (value) span.setAttribute(ATTRIBUTES.user, value);
}

/** Puts a timer run's summary on its span as `chat.run.<field>` (numbers and booleans only: counts, never ids). */
export function noteRun(summary: object): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  for (const [field, value] of Object.entries(summary)) {
    if (typeof value === 'number' || typeof value === 'boolean') {
      span.setAttribute(`${ATTRIBUTES.runPrefix}${field}`, value satisfies AttributeValue);
    }
  }
}
