import path from 'node:path';

import type { Finding } from '../../../scripts/lint-infra/finding';
import { lintInfra } from '../../../scripts/lint-infra/lint-infra';
import { AZURE_REQUIRED_SETTINGS } from '../../../src/config';
import { copyInfra, type InfraCopy } from './infra-copy';

/** lint:infra keeps the Event Grid subscription in infra/ equal to what chatEvents handles in code. */
describe('lint:infra event subscriptions, on broken copies', () => {
  let copy: InfraCopy;
  beforeEach(async () => {
    copy = await copyInfra();
  });
  afterEach(async () => {
    await copy.remove();
  });

  async function eventFindings(): Promise<string[]> {
    const findings: Finding[] = await lintInfra({
      infraDir: copy.dir,
      requiredAppSettings: AZURE_REQUIRED_SETTINGS,
      displayBase: path.dirname(copy.dir),
    });
    return findings.filter((finding) => finding.check === 'event-subscriptions').map((finding) => finding.message);
  }

  const FILE = 'app/eventgrid.bicep';
  const DELETED = "  'Microsoft.Communication.ChatThreadDeleted'\n";

  it('reports an event type chatEvents handles that infra does not subscribe', async () => {
    await copy.replace(FILE, DELETED, '');
    expect(await eventFindings()).toEqual([
      expect.stringMatching(/does not subscribe Microsoft.Communication.ChatThreadDeleted/),
    ]);
  });

  it('reports an event type infra subscribes that chatEvents does not handle', async () => {
    await copy.replace(FILE, DELETED, `${DELETED}  'Microsoft.Communication.ChatTypingIndicatorReceivedInThread'\n`);
    expect(await eventFindings()).toEqual([
      expect.stringMatching(/subscribes Microsoft.Communication.ChatTypingIndicatorReceivedInThread/),
    ]);
  });

  it('reports a keyed webhook destination and key-based dead-lettering', async () => {
    await copy.replace(FILE, "endpointType: 'AzureFunction'", "endpointType: 'WebHook'");
    await copy.replace(FILE, 'deadLetterWithResourceIdentity:', 'deadLetterDestinationWithKeys:');
    expect(await eventFindings()).toEqual([
      expect.stringMatching(/endpointType WebHook; use AzureFunction/),
      expect.stringMatching(/no deadLetterWithResourceIdentity/),
    ]);
  });

  it('reports infra without any event subscription', async () => {
    await copy.replace(
      FILE,
      "    endpointType: 'AzureFunction'\n    properties: {\n      resourceId:",
      '    properties: {\n      resourceId:',
    );
    expect(await eventFindings()).toEqual([
      expect.stringMatching(/no Microsoft.EventGrid\/systemTopics\/eventSubscriptions/),
    ]);
  });

  it('also checks a subscription declared as a resource', async () => {
    await copy.append(
      FILE,
      [
        '',
        "resource extraSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {",
        '  parent: systemTopic',
        "  name: 'extra'",
        '  properties: {',
        "    destination: { endpointType: 'WebHook', properties: {} }",
        "    filter: { includedEventTypes: [ 'Microsoft.Communication.ChatThreadDeleted' ] }",
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(await eventFindings()).toEqual([
      expect.stringMatching(
        /^extraSubscription does not subscribe Microsoft.Communication.ChatMessageReceivedInThread/,
      ),
      expect.stringMatching(/^extraSubscription delivers to endpointType WebHook/),
      expect.stringMatching(/^extraSubscription has no deadLetterWithResourceIdentity/),
      expect.stringMatching(/^extraSubscription has no retryPolicy/),
    ]);
  });
});
