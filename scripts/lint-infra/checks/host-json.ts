import type { Finding } from '../finding';
import { lineOfKey } from '../parameters-file';

/** host.json as lint:infra finds it: its display path (for findings) and text, or undefined when missing. */
export interface HostJson {
  displayPath: string;
  text: string | undefined;
}

/**
 * host.json sets `"telemetryMode": "OpenTelemetry"`: the alert rules and the workbook read the OpenTelemetry spans
 * the app exports, which are children of the Functions host's invocation span only in that mode, and its logs carry
 * their trace ids only then. The host reads the value case-insensitively and silently falls back to its Application
 * Insights mode on anything else, so a typo would go unnoticed until the alerts went quiet.
 */
export function checkHostJson(hostJson: HostJson): Finding[] {
  const finding = (line: number, message: string): Finding[] => [
    { file: hostJson.displayPath, line, check: 'host-json', message },
  ];
  if (hostJson.text === undefined) {
    return finding(
      1,
      'host.json is missing beside infra/: the Functions app needs one, with "telemetryMode": "OpenTelemetry"',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(hostJson.text);
  } catch (error) {
    return finding(1, `host.json is not JSON (${(error as Error).message})`);
  }
  const mode =
    parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>).telemetryMode : undefined;
  if (typeof mode === 'string' && mode.toLowerCase() === 'opentelemetry') return [];
  const line = lineOfKey(hostJson.text, 'telemetryMode');
  return finding(
    line,
    mode === undefined
      ? 'host.json does not set "telemetryMode": "OpenTelemetry", which the alerts and the workbook need: they read the ' +
          "app's OpenTelemetry spans under the host's invocation span"
      : `host.json sets "telemetryMode" to ${JSON.stringify(mode)}: the alerts and the workbook need "OpenTelemetry" ` +
          '(the host takes a value it does not know as ApplicationInsights)',
  );
}
