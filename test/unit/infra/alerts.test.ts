import { rm } from 'node:fs/promises';
import path from 'node:path';

import { useLintedInfraCopy } from './infra-copy';

const ALERTS = 'core/monitor/alerts.bicep';
const RUNBOOK = '../docs/operations.md';

/**
 * lint:infra keeps alerts actionable: every alert rule in infra/ has a section in docs/operations.md under its name
 * (less the resource-token prefix) and notifies an action group the Bicep deploys. Each case breaks a copy of infra/
 * (and of the runbook beside it) and expects exactly its findings.
 */
describe('lint:infra alerts, on broken copies', () => {
  const { copy, findings } = useLintedInfraCopy();

  it('passes the real infra/ and docs/operations.md', async () => {
    expect(await findings()).toEqual([]);
  });

  it('reports an alert rule without a runbook entry', async () => {
    await copy().replace(RUNBOOK, '## acs-throttled\n', '## ACS throttling\n');
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/core\/monitor\/alerts\.bicep:\d+ \[alerts\] alert rule acsThrottled \(acs-throttled\) has no runbook entry: add a "## acs-throttled" section to docs\/operations\.md/,
      ),
    ]);
  });

  it('reports the pruning-deferring rule without its runbook entry', async () => {
    await copy().replace(RUNBOOK, '## pruning-deferring\n', '## Pruning falls behind\n');
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/core\/monitor\/alerts\.bicep:\d+ \[alerts\] alert rule pruningDeferring \(pruning-deferring\) has no runbook entry/,
      ),
    ]);
  });

  it('reports a new alert rule nobody wrote a runbook entry for', async () => {
    await copy().replace(ALERTS, "name: '${namePrefix}-events-dead-lettered'", "name: '${namePrefix}-dead-letters'");
    expect(await findings()).toEqual([
      expect.stringMatching(
        /alerts\.bicep:\d+ \[alerts\] alert rule eventsDeadLettered \(dead-letters\) has no runbook entry/,
      ),
    ]);
  });

  it('reports every alert rule when the runbook is missing', async () => {
    await rm(path.join(copy().dir, RUNBOOK));
    const all = await findings();
    expect(all).toEqual([expect.stringMatching(/^docs\/operations\.md:1 \[alerts\] the runbook is missing/)]);
  });

  it('reports an alert rule whose name has no literal part', async () => {
    await copy().replace(ALERTS, "name: '${namePrefix}-health-failing'", 'name: namePrefix');
    expect(await findings()).toEqual([
      expect.stringMatching(/\[alerts\] alert rule healthProbeFailing has no literal part in its name/),
    ]);
  });

  it('reports alert rules that notify no deployed action group', async () => {
    await copy().replace(ALERTS, '        actionGroupId: actionGroup.id', "        actionGroupId: '/subscriptions/x'");
    expect(await findings()).toEqual([
      expect.stringMatching(
        /alerts\.bicep:\d+ \[alerts\] alert rule eventsDeadLettered notifies no action group the Bicep deploys/,
      ),
    ]);
    await copy().replace(ALERTS, '  actionGroups: [\n    actionGroup.id\n  ]', '  actionGroups: []');
    const names = (await findings()).map((line) => /alert rule (\w+) notifies/.exec(line)?.[1]);
    expect(names).toEqual([
      'serverErrorRate',
      'eventsDeadLettered',
      'acsThrottled',
      'eventLag',
      'pruningFailing',
      'pruningDeferring',
      'healthProbeFailing',
    ]);
  });

  it('reports alerts without an action group', async () => {
    await copy().replace(
      ALERTS,
      "'Microsoft.Insights/actionGroups@2023-01-01'",
      "'Microsoft.Example/things@2023-01-01'",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/main\.bicep:1 \[alerts\] no Microsoft\.Insights\/actionGroups resource: alert rules notify nobody$/,
      ),
    ]);
  });
});
