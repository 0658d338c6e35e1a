import { rm } from 'node:fs/promises';
import path from 'node:path';

import { lintInfra } from '../../../scripts/lint-infra/lint-infra';
import { AZURE_REQUIRED_SETTINGS } from '../../../src/config';
import { METRICS } from '../../../src/telemetry/catalogue';
import { useLintedInfraCopy } from './infra-copy';

const WORKBOOK = 'core/monitor/workbook.bicep';
const CONTENT = 'core/monitor/workbook.json';
const MAIN = 'main.bicep';
const HOST_JSON = '../host.json';
const SERIALIZED = "serializedData: replace(loadTextContent('./workbook.json'), '__WORKSPACE_ID__', logAnalytics.id)";

/** A metric's name as a workbook query matches it: `Name == "chat.pushes"`, escaped in the JSON file. */
function metricQuery(name: string): string {
  return `Name == \\"${name}\\"`;
}

/**
 * lint:infra keeps the chat metrics charted: main.bicep deploys a workbook (category 'workbook') whose serializedData
 * has a query naming each metric of METRICS in src/telemetry/catalogue.ts. Each case breaks a copy of infra/ and
 * expects exactly its findings.
 */
describe('lint:infra workbook, on broken copies', () => {
  const { copy, findings } = useLintedInfraCopy();

  it('passes the real infra/, whose workbook charts every metric of the catalogue', async () => {
    expect(await findings()).toEqual([]);
    expect(Object.keys(METRICS).length).toBeGreaterThanOrEqual(10);
  });

  it('reports a metric no query names, even when the text around the charts mentions it', async () => {
    await copy().replace(CONTENT, metricQuery('chat.pushes'), metricQuery('chat.push'));
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/core\/monitor\/workbook\.bicep:\d+ \[workbook\] workbook workbook has no query for chat\.pushes \(METRICS in src\/telemetry\/catalogue\.ts\)/,
      ),
    ]);
  });

  it('does not take a longer name (chat.event.lag_ms) for the metric (chat.event.lag)', async () => {
    await copy().replace(CONTENT, metricQuery('chat.event.lag'), metricQuery('chat.event.lag_ms'));
    expect(await findings()).toEqual([expect.stringMatching(/\[workbook\] .*has no query for chat\.event\.lag \(/)]);
  });

  it('reports a metric added to the catalogue that the workbook does not chart yet', async () => {
    const names = [...Object.values(METRICS).map((metric) => metric.name), 'chat.new_metric', 'chat.other'];
    const found = await lintInfra({
      infraDir: copy().dir,
      requiredAppSettings: AZURE_REQUIRED_SETTINGS,
      displayBase: path.dirname(copy().dir),
      metricNames: names,
    });
    expect(found.map((finding) => `${finding.check}: ${finding.message}`)).toEqual([
      expect.stringMatching(/^workbook: workbook workbook has no query for chat\.new_metric, chat\.other \(/),
    ]);
  });

  it('reports infra without a workbook', async () => {
    await copy().replace(
      WORKBOOK,
      "'Microsoft.Insights/workbooks@2023-06-01'",
      "'Microsoft.Example/things@2023-06-01'",
    );
    expect(await findings()).toEqual([
      'infra/main.bicep:1 [workbook] no Microsoft.Insights/workbooks resource: the chat metrics have no workbook',
    ]);
  });

  it('reports a workbook in a module main.bicep does not deploy', async () => {
    await copy().replace(MAIN, /\n\/\/ The "Chat backend" workbook[^\n]*\nmodule workbook [\s\S]*?\n}\n/, '\n');
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/core\/monitor\/workbook\.bicep:\d+ \[workbook\] workbook workbook is in a file main\.bicep does not deploy/,
      ),
    ]);
  });

  it('reports a workbook of another category', async () => {
    await copy().replace(WORKBOOK, "category: 'workbook'", "category: 'TSG'");
    expect(await findings()).toEqual([
      expect.stringMatching(
        /workbook\.bicep:\d+ \[workbook\] workbook workbook does not set properties\.category: 'workbook'/,
      ),
    ]);
  });

  it('reports serializedData that is not JSON, or that it cannot read', async () => {
    await copy().append(CONTENT, '}');
    expect(await findings()).toEqual([
      expect.stringMatching(/workbook\.bicep:\d+ \[workbook\] workbook workbook: serializedData is not JSON/),
    ]);
    await copy().replace(WORKBOOK, SERIALIZED, 'serializedData: string(logAnalytics.properties)');
    expect(await findings()).toEqual([
      expect.stringMatching(
        /\[workbook\] workbook workbook: serializedData is neither written out in the Bicep nor loaded/,
      ),
    ]);
  });

  it('reports a missing workbook file as unreadable content', async () => {
    await rm(path.join(copy().dir, CONTENT));
    expect(await findings()).toEqual([
      expect.stringMatching(/\[workbook\] workbook workbook: serializedData is neither written out/),
    ]);
  });

  it('follows serializedData through variables, string() and loadJsonContent', async () => {
    await copy().replace(WORKBOOK, SERIALIZED, 'serializedData: content');
    await copy().append(WORKBOOK, "\nvar content = string(loadJsonContent('./workbook.json'))\n");
    expect(await findings()).toEqual([]);
    await copy().replace(CONTENT, metricQuery('chat.emails'), metricQuery('chat.email'));
    expect(await findings()).toEqual([expect.stringMatching(/has no query for chat\.emails \(/)]);
  });
});

/**
 * lint:infra keeps the Functions host in OpenTelemetry mode (host.json beside infra/): the alerts and the workbook
 * read the spans the app exports under the host's invocation span.
 */
describe('lint:infra host.json telemetry mode, on broken copies', () => {
  const { copy, findings } = useLintedInfraCopy();

  it('accepts the mode in any case, as the host reads it', async () => {
    await copy().replace(HOST_JSON, '"telemetryMode": "OpenTelemetry"', '"telemetryMode": "openTelemetry"');
    expect(await findings()).toEqual([]);
  });

  it('reports host.json without telemetryMode', async () => {
    await copy().replace(HOST_JSON, '  "telemetryMode": "OpenTelemetry",\n', '');
    expect(await findings()).toEqual([
      'host.json:1 [host-json] host.json does not set "telemetryMode": "OpenTelemetry", which the alerts and the ' +
        "workbook need: they read the app's OpenTelemetry spans under the host's invocation span",
    ]);
  });

  it('reports another mode, or a misspelt one, at its line', async () => {
    await copy().replace(HOST_JSON, '"telemetryMode": "OpenTelemetry"', '"telemetryMode": "Open Telemetry"');
    expect(await findings()).toEqual([
      'host.json:3 [host-json] host.json sets "telemetryMode" to "Open Telemetry": the alerts and the workbook need ' +
        '"OpenTelemetry" (the host takes a value it does not know as ApplicationInsights)',
    ]);
  });

  it('reports a missing or unparsable host.json', async () => {
    await copy().append(HOST_JSON, ',');
    expect(await findings()).toEqual([expect.stringMatching(/^host\.json:1 \[host-json\] host\.json is not JSON/)]);
    await rm(path.join(copy().dir, HOST_JSON));
    expect(await findings()).toEqual([expect.stringMatching(/^host\.json:1 \[host-json\] host\.json is missing/)]);
  });
});
