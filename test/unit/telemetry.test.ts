import { readFileSync } from 'node:fs';
import path from 'node:path';

import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';

import { loadConfig } from '../../src/config';
import type { UpstreamService } from '../../src/telemetry/catalogue';
import { Pseudonyms } from '../../src/telemetry/pseudonyms';
import { ChatSampler } from '../../src/telemetry/sampler';
import { describeUpstreamCall } from '../../src/telemetry/upstream-operations';

const valid = {
  ACS_CONNECTION_STRING: 'endpoint=https://127.0.0.1:1/;accesskey=a2V5',
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  AUTH_ISSUER: 'https://login.example.com/tenant/v2.0',
  AUTH_AUDIENCE: 'api://chat',
};
const CONTRACTS = path.resolve(__dirname, '..', '..', 'emulator', 'contract');
const ACS = 'https://chat.communication.azure.com';
const THREAD = encodeURIComponent('19:5f0a4c8e9b@thread.v2');

describe('upstream operation names', () => {
  it.each([
    ['POST', `${ACS}/chat/threads?api-version=2025-03-15`, 'acs.chat', 'createChatThread'],
    ['POST', `${ACS}/chat/threads/${THREAD}/messages?api-version=2025-03-15`, 'acs.chat', 'sendChatMessage'],
    ['PATCH', `${ACS}/chat/threads/${THREAD}/messages/1712345678901`, 'acs.chat', 'updateChatMessage'],
    ['POST', `${ACS}/chat/threads/${THREAD}/participants/:add`, 'acs.chat', 'addChatParticipants'],
    ['POST', `${ACS}/chat/threads/${THREAD}/participants/:remove`, 'acs.chat', 'removeChatParticipant'],
    ['POST', `${ACS}/chat/threads/${THREAD}/readReceipts`, 'acs.chat', 'sendChatReadReceipt'],
    ['POST', `${ACS}/identities/8%3Aacs%3Aabc_123/:issueAccessToken`, 'acs.identity', 'issueAccessToken'],
    ['POST', `${ACS}/identities?api-version=2023-10-01`, 'acs.identity', 'createIdentity'],
    ['POST', `${ACS}/emails:send?api-version=2025-09-01`, 'acs.email', 'sendEmail'],
    ['POST', 'https://wps.webpubsub.azure.com/api/hubs/chat/users/alice/:send', 'webpubsub', 'sendToUser'],
    ['HEAD', 'https://wps.webpubsub.azure.com/api/hubs/chat/users/bob', 'webpubsub', 'userExists'],
    ['POST', 'https://cs.cognitiveservices.azure.com/contentsafety/text:analyze', 'contentsafety', 'analyzeText'],
  ] as const)('%s %s → %s %s', (method, url, service, operation) => {
    expect(describeUpstreamCall(service, method, url)).toEqual({ service, operation });
  });

  it.each([
    ['GET', "https://a.table.core.windows.net/Inbox(PartitionKey='alice',RowKey='19%3Ax')", 'getEntity', 'Inbox'],
    ['GET', "https://a.table.core.windows.net/Inbox()?$filter=PartitionKey%20eq%20'alice'", 'queryEntities', 'Inbox'],
    ['POST', 'http://127.0.0.1:10002/devstoreaccount1/Threads', 'insertEntity', 'Threads'],
    ['PUT', "http://127.0.0.1:10002/devstoreaccount1/Threads(PartitionKey='t',RowKey='')", 'replaceEntity', 'Threads'],
    ['PATCH', "https://a.table.core.windows.net/Usage(PartitionKey='bob',RowKey='h')", 'mergeEntity', 'Usage'],
    ['DELETE', "https://a.table.core.windows.net/Usage(PartitionKey='bob',RowKey='h')", 'deleteEntity', 'Usage'],
    ['POST', 'https://a.table.core.windows.net/$batch', 'submitTransaction', undefined],
    ['POST', 'https://a.table.core.windows.net/Tables', 'createTable', undefined],
  ] as const)('Tables %s %s → %s on %s', (method, url, operation, table) => {
    expect(describeUpstreamCall('tables', method, url)).toEqual({
      service: 'tables',
      operation,
      ...(table ? { table } : {}),
    });
  });

  it.each([
    ['acs.chat', 'chat-2025-03-15.json'],
    ['acs.identity', 'identity-2023-10-01.json'],
    ['acs.email', 'email/email-2025-09-01.json'],
  ] as const)('names every operation of the %s contract (%s) after its operationId', (service, file) => {
    const contract = JSON.parse(readFileSync(path.join(CONTRACTS, file), 'utf8')) as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    for (const [template, operations] of Object.entries(contract.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.operationId) continue;
        const url = `${ACS}${template.replace(/\{[^}]+\}/g, '8%3Aacs%3Aid_42')}`;
        const described = describeUpstreamCall(service, method, url);
        // `Chat_CreateChatThread` → createChatThread, `CommunicationIdentity_Delete` → deleteIdentity.
        const expected = operation.operationId.split('_')[1]!;
        expect(described.operation.toLowerCase()).toContain(expected.toLowerCase());
        expect(described.operation).not.toMatch(/[ /{]/);
      }
    }
  });

  it('never carries a path segment it does not know: ids, user names, keys are all {}', () => {
    fc.assert(
      fc.property(
        // Tables paths name a table (ours) where an id could be: they have a property of their own below.
        fc.constantFrom<UpstreamService[]>('acs.chat', 'acs.identity', 'webpubsub', 'contentsafety'),
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        fc.array(fc.constantFrom('chat', 'threads', 'messages', 'users', 'api', 'hubs', ':send'), { maxLength: 4 }),
        // A digit in it: no fixed segment has one.
        fc.stringMatching(/^[A-Za-z0-9:@._~-]{5,29}[0-9]$/),
        (service, method, fixed, secret) => {
          const url = `https://x.example/${[...fixed, secret, ...fixed].map(encodeURIComponent).join('/')}?sig=${secret}`;
          const described = describeUpstreamCall(service, method, url);
          expect(JSON.stringify(described).toLowerCase()).not.toContain(secret.toLowerCase());
        },
      ),
    );
  });
  it('never carries a Tables key or filter value', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'MERGE'),
        fc.constantFrom('Inbox', 'chatThreads', 'tIdentities'),
        fc.stringMatching(/^[A-Za-z0-9:@._~-]{5,29}[0-9]$/),
        (method, table, secret) => {
          const keys = `(PartitionKey='${encodeURIComponent(secret)}',RowKey='${encodeURIComponent(secret)}')`;
          const url = `https://a.table.core.windows.net/${table}${keys}?$filter=${encodeURIComponent(`x eq '${secret}'`)}`;
          const described = describeUpstreamCall('tables', method, url);
          expect(described.table).toBe(table);
          expect(JSON.stringify(described)).not.toContain(secret);
        },
      ),
    );
  });
});

describe('pseudonyms', () => {
  const key = Buffer.alloc(32, 7);

  it('say nothing before the key is known, then the same short pseudonym for the same id on every instance', () => {
    const one = new Pseudonyms();
    expect(one.of('user', 'alice')).toBeUndefined();
    one.useKey(key);
    const other = new Pseudonyms();
    other.useKey(Buffer.from(key));
    expect(one.of('user', 'alice')).toMatch(/^u-[\w-]{16}$/);
    expect(one.of('user', 'alice')).toBe(other.of('user', 'alice'));
    expect(one.of('user', 'alice')).not.toBe(one.of('user', 'bob'));
    // The same string as a thread id or an ACS id is a different pseudonym.
    expect(one.of('thread', 'alice')).toMatch(/^t-/);
    expect(one.of('acsUser', 'alice')).toMatch(/^a-/);
    expect(one.of('thread', 'alice')!.slice(2)).not.toBe(one.of('user', 'alice')!.slice(2));
  });

  it('depend on the key: another deployment cannot recompute them', () => {
    const one = new Pseudonyms();
    one.useKey(key);
    const other = new Pseudonyms();
    other.useKey(Buffer.alloc(32, 8));
    expect(one.of('user', 'alice')).not.toBe(other.of('user', 'alice'));
  });

  it('read their key only when first needed, and again after a failed read', async () => {
    const reads: Array<'failed' | 'read'> = [];
    const lazy = new Pseudonyms();
    lazy.keyFrom(async () => {
      if (reads.length === 0) {
        reads.push('failed');
        throw new Error('Tables unavailable');
      }
      reads.push('read');
      return key;
    });
    expect(reads).toEqual([]);
    expect(lazy.of('user', 'alice')).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lazy.of('user', 'alice')).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    const keyed = new Pseudonyms();
    keyed.useKey(key);
    expect(lazy.of('user', 'alice')).toBe(keyed.of('user', 'alice'));
    expect(reads).toEqual(['failed', 'read']);
  });

  it('are the ids themselves when TELEMETRY_INCLUDE_USER_IDS allows', () => {
    const named = new Pseudonyms(true);
    expect(named.of('user', 'alice')).toBe('alice');
  });
});

describe('sampling', () => {
  const spansWith = (ratio: number, work: (tracer: ReturnType<BasicTracerProvider['getTracer']>) => void) => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      sampler: new ChatSampler({ ratio }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    work(provider.getTracer('test'));
    return exporter.getFinishedSpans();
  };
  const request = (tracer: ReturnType<BasicTracerProvider['getTracer']>, trigger = 'http') =>
    tracer.startActiveSpan('root', { attributes: { 'faas.trigger': trigger } }, ROOT_CONTEXT, (root) => {
      tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, root)).end();
      root.end();
    });

  it('keeps every trace at 1, without a sample rate', () => {
    const spans = spansWith(1, (tracer) => {
      for (let i = 0; i < 50; i += 1) request(tracer);
    });
    expect(spans).toHaveLength(100);
    expect(spans.every((span) => span.attributes['microsoft.sample_rate'] === undefined)).toBe(true);
  });

  it('keeps about that share of request traces, whole, each span carrying the rate Application Insights scales by', () => {
    const spans = spansWith(0.25, (tracer) => {
      for (let i = 0; i < 2000; i += 1) request(tracer);
    });
    const roots = spans.filter((span) => span.name === 'root');
    expect(roots.length).toBeGreaterThan(400);
    expect(roots.length).toBeLessThan(600);
    // Whole traces: a child for every kept root, and none without one.
    expect(spans.filter((span) => span.name === 'child')).toHaveLength(roots.length);
    expect(spans.every((span) => span.attributes['microsoft.sample_rate'] === 25)).toBe(true);
  });

  it('keeps at most about that many traces per second with TELEMETRY_TRACES_PER_SECOND, whole', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      sampler: new ChatSampler({ perSecond: 5 }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('test');
    // 2,000 traces over about a second: about 5 kept.
    const started = performance.now();
    for (let i = 0; i < 50; i += 1) {
      for (let j = 0; j < 40; j += 1) request(tracer);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const roots = exporter.getFinishedSpans().filter((span) => span.name === 'root');
    expect(roots.length).toBeGreaterThan(0);
    expect(roots.length).toBeLessThan(5 * seconds * 4);
    expect(exporter.getFinishedSpans().filter((span) => span.name === 'child')).toHaveLength(roots.length);
  });

  it('always keeps timer runs, and their children, counted once', () => {
    const spans = spansWith(0.01, (tracer) => {
      for (let i = 0; i < 100; i += 1) request(tracer, 'timer');
    });
    expect(spans).toHaveLength(200);
    // A missing rate counts as 100 % too.
    expect(spans.every((span) => [100, undefined].includes(span.attributes['microsoft.sample_rate'] as number))).toBe(
      true,
    );
  });
});

describe('telemetry settings', () => {
  it('export nothing and pseudonymise by default', () => {
    expect(loadConfig(valid).telemetry).toEqual({ includeUserIds: false, samplingRatio: 1 });
  });

  it('export to Application Insights keyless when the authentication string asks for Entra ID', () => {
    const config = loadConfig({
      ...valid,
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        'InstrumentationKey=k;IngestionEndpoint=https://x.in.applicationinsights.azure.com/',
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=abc-123;Authorization=AAD',
      TELEMETRY_INCLUDE_USER_IDS: 'true',
      TELEMETRY_SAMPLING_RATIO: '0.25',
    });
    expect(config.telemetry).toEqual({
      includeUserIds: true,
      samplingRatio: 0.25,
      azureMonitor: {
        connectionString: 'InstrumentationKey=k;IngestionEndpoint=https://x.in.applicationinsights.azure.com/',
        aad: { clientId: 'abc-123' },
      },
    });
  });

  it('send OTLP to a collector, and refuse a malformed endpoint or switch naming the setting', () => {
    expect(loadConfig({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).telemetry.otlpEndpoint).toBe(
      'http://127.0.0.1:4318',
    );
    expect(() => loadConfig({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    expect(() => loadConfig({ ...valid, TELEMETRY_INCLUDE_USER_IDS: 'yes' })).toThrow(/TELEMETRY_INCLUDE_USER_IDS/);
    expect(loadConfig({ ...valid, TELEMETRY_TRACES_PER_SECOND: '5' }).telemetry.tracesPerSecond).toBe(5);
    expect(() => loadConfig({ ...valid, TELEMETRY_TRACES_PER_SECOND: '5', TELEMETRY_SAMPLING_RATIO: '0.5' })).toThrow(
      /TELEMETRY_TRACES_PER_SECOND/,
    );
  });
});
