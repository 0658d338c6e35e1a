import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { AzureKeyCredential, type TokenCredential } from '@azure/core-auth';
import createClient, {
  type AnalyzeTextResultOutput,
  type ContentSafetyClient,
  isUnexpected,
  paginate,
  type TextBlocklistItem,
} from '@azure-rest/ai-content-safety';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

import { type RunningContentSafetyEmulator, startContentSafetyEmulator } from '../../../emulator/contentsafety';

/**
 * The Content Safety emulator through the official `@azure-rest/ai-content-safety` client, unchanged; every success
 * and error body is checked against the copied 2024-09-01 contract (closed: a field it does not define fails).
 */

const SPEC = resolve(__dirname, '../../../emulator/contract/contentsafety/contentsafety-2024-09-01.json');
const spec = JSON.parse(readFileSync(SPEC, 'utf8')) as { definitions: Record<string, Record<string, unknown>> };
for (const definition of Object.values(spec.definitions)) {
  if (definition.properties) definition.additionalProperties = false;
}
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addSchema({ ...spec, $id: 'contentsafety' });

function expectContract(definition: string, body: unknown): void {
  const validate = ajv.getSchema(`contentsafety#/definitions/${definition}`);
  if (!validate) throw new Error(`no definition ${definition}`);
  expect(validate(body) ? [] : validate.errors).toEqual([]);
}

function expectError(
  res: { status: string; headers: Record<string, string>; body: unknown },
  status: string,
  code: string,
): void {
  expect(res.status).toBe(status);
  expectContract('Azure.Core.Foundations.ErrorResponse', res.body);
  expect((res.body as { error: { code: string } }).error.code).toBe(code);
  expect(res.headers['x-ms-error-code']).toBe(code);
}

/** An Entra-shaped access token; the emulator does not check signatures (README), so any signature bytes do. */
function entraCredential(claims: Record<string, unknown>): TokenCredential {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = `${part({ alg: 'RS256', typ: 'JWT', kid: 'test-key' })}.${part(claims)}.${randomBytes(256).toString('base64url')}`;
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
}

let emu: RunningContentSafetyEmulator;
let client: ContentSafetyClient;

function clientWith(credential: AzureKeyCredential | TokenCredential, endpoint = emu.endpoint): ContentSafetyClient {
  return createClient(endpoint, credential, {
    apiVersion: '2024-09-01',
    tlsOptions: { ca: emu.caCertPem },
    retryOptions: { maxRetries: 0 },
  });
}

async function createList(name: string, description?: string): Promise<void> {
  const res = await client
    .path('/text/blocklists/{blocklistName}', name)
    .patch({ contentType: 'application/merge-patch+json', body: description === undefined ? {} : { description } });
  expect(res.status).toBe('201');
}

async function addItems(
  name: string,
  items: Omit<TextBlocklistItem, 'blocklistItemId'>[],
): Promise<Record<string, string>> {
  const res = await client
    .path('/text/blocklists/{blocklistName}:addOrUpdateBlocklistItems', name)
    .post({ body: { blocklistItems: items } });
  expect(res.status).toBe('200');
  expectContract('AddOrUpdateTextBlocklistItemsResult', res.body);
  const added = (res.body as { blocklistItems: { blocklistItemId: string; text: string }[] }).blocklistItems;
  return Object.fromEntries(added.map((i) => [i.text, i.blocklistItemId]));
}

async function analyze(body: Record<string, unknown>, on = client): Promise<AnalyzeTextResultOutput> {
  const res = await on.path('/text:analyze').post({ body: body as { text: string } });
  if (isUnexpected(res)) throw new Error(`analyze: ${res.status} ${JSON.stringify(res.body)}`);
  expectContract('AnalyzeTextResult', res.body);
  return res.body;
}

beforeAll(async () => {
  emu = await startContentSafetyEmulator();
  client = clientWith(new AzureKeyCredential(emu.key));
});

afterEach(() => emu.control.reset());

afterAll(() => emu.close());

describe('Content Safety emulator: text analysis', () => {
  test('with an empty severity table every category is 0, as in the contract example', async () => {
    expect(await analyze({ text: 'This is text example' })).toEqual({
      blocklistsMatch: [],
      categoriesAnalysis: [
        { category: 'Hate', severity: 0 },
        { category: 'SelfHarm', severity: 0 },
        { category: 'Sexual', severity: 0 },
        { category: 'Violence', severity: 0 },
      ],
    });
  });

  test('severities come from the term table, trimmed to four levels unless EightSeverityLevels', async () => {
    emu.control.setSeverityTerms([
      { term: 'punch', category: 'Violence', severity: 5 },
      { term: 'stab', category: 'Violence', severity: 7 },
      { term: 'idiots', category: 'Hate', severity: 3 },
    ]);
    const text = 'I will PUNCH you, idiots.';
    expect(await analyze({ text, categories: ['Violence', 'Hate'] })).toEqual({
      blocklistsMatch: [],
      categoriesAnalysis: [
        { category: 'Hate', severity: 2 },
        { category: 'Violence', severity: 4 },
      ],
    });
    const eight = await analyze({ text, categories: ['Hate', 'Violence'], outputType: 'EightSeverityLevels' });
    expect(eight.categoriesAnalysis).toEqual([
      { category: 'Hate', severity: 3 },
      { category: 'Violence', severity: 5 },
    ]);
    // Terms match whole words: a punchline is not a punch.
    const words = await analyze({
      text: 'what a punchline',
      categories: ['Violence'],
      outputType: 'EightSeverityLevels',
    });
    expect(words.categoriesAnalysis).toEqual([{ category: 'Violence', severity: 0 }]);
    expect(emu.control.recentAnalyses().map((a) => a.text)).toEqual([text, text, 'what a punchline']);
  });

  test('text: 10,000 code points pass, one more is 400 InvalidRequestBody; a bad category or outputType too', async () => {
    const astral = '😀'.repeat(10_000); // 20,000 UTF-16 units, 10,000 code points
    await analyze({ text: astral });
    const tooLong = await client.path('/text:analyze').post({ body: { text: `${astral}!` } });
    expectError(tooLong, '400', 'InvalidRequestBody');
    const badCategory = await client.path('/text:analyze').post({ body: { text: 'x', categories: ['Spam'] } });
    expectError(badCategory, '400', 'InvalidRequestBody');
    const badOutput = await client.path('/text:analyze').post({ body: { text: 'x', outputType: 'TwoLevels' } });
    expectError(badOutput, '400', 'InvalidRequestBody');
    const noText = await client.path('/text:analyze').post({ body: {} as { text: string } });
    expectError(noText, '400', 'InvalidRequestBody');
  });
});

describe('Content Safety emulator: blocklists', () => {
  test('create (201), update (200, merge patch), get, list, delete; a deleted list is 404 ResourceNotFound', async () => {
    await createList('chat-terms', 'first');
    const updated = await client
      .path('/text/blocklists/{blocklistName}', 'chat-terms')
      .patch({ contentType: 'application/merge-patch+json', body: {} });
    expect(updated.status).toBe('200');
    expect(updated.body).toEqual({ blocklistName: 'chat-terms', description: 'first' });
    await client
      .path('/text/blocklists/{blocklistName}', 'chat-terms')
      .patch({ contentType: 'application/merge-patch+json', body: { description: 'second' } });
    await createList('other');

    const got = await client.path('/text/blocklists/{blocklistName}', 'chat-terms').get();
    expect(got.status).toBe('200');
    expectContract('TextBlocklist', got.body);
    expect(got.body).toEqual({ blocklistName: 'chat-terms', description: 'second' });
    const all = await client.path('/text/blocklists').get();
    expectContract('PagedTextBlocklist', all.body);
    expect(all.body).toEqual({
      value: [{ blocklistName: 'chat-terms', description: 'second' }, { blocklistName: 'other' }],
    });

    const deleted = await client.path('/text/blocklists/{blocklistName}', 'chat-terms').delete();
    expect(deleted.status).toBe('204');
    expectError(await client.path('/text/blocklists/{blocklistName}', 'chat-terms').get(), '404', 'ResourceNotFound');
    expectError(await client.path('/text/blocklists/{blocklistName}', 'bad name!').get(), '400', 'InvalidResourceName');
  });

  test('items: add, update in place by text, get, remove, and list in pages (top, skip, maxpagesize)', async () => {
    await createList('terms');
    const ids = await addItems(
      'terms',
      ['one', 'two', 'three', 'four', 'five'].map((text) => ({ text })),
    );
    const again = await addItems('terms', [{ text: 'two', description: 'second' }]);
    expect(again.two).toBe(ids.two);

    const item = await client
      .path('/text/blocklists/{blocklistName}/blocklistItems/{blocklistItemId}', 'terms', ids.two ?? '')
      .get();
    expectContract('TextBlocklistItem', item.body);
    expect(item.body).toEqual({ blocklistItemId: ids.two, description: 'second', text: 'two', isRegex: false });

    emu.control.resetCounts();
    const first = await client
      .path('/text/blocklists/{blocklistName}/blocklistItems', 'terms')
      .get({ queryParameters: { maxpagesize: 2 } });
    if (isUnexpected(first)) throw new Error(JSON.stringify(first.body));
    expectContract('PagedTextBlocklistItem', first.body);
    const texts: string[] = [];
    for await (const i of paginate(client, first)) texts.push(i.text);
    expect(texts).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(emu.control.requestCounts()).toEqual({ 'blocklists.listItems': 3 });

    const window = await client
      .path('/text/blocklists/{blocklistName}/blocklistItems', 'terms')
      .get({ queryParameters: { skip: 1, top: 3, maxpagesize: 2 } });
    if (isUnexpected(window)) throw new Error(JSON.stringify(window.body));
    const windowTexts: string[] = [];
    for await (const i of paginate(client, window)) windowTexts.push(i.text);
    expect(windowTexts).toEqual(['two', 'three', 'four']);

    const removed = await client
      .path('/text/blocklists/{blocklistName}:removeBlocklistItems', 'terms')
      .post({ body: { blocklistItemIds: [ids.one ?? '', ids.four ?? ''] } });
    expect(removed.status).toBe('204');
    const rest = await client.path('/text/blocklists/{blocklistName}/blocklistItems', 'terms').get();
    expect((rest.body as { value: { text: string }[] }).value.map((i) => i.text)).toEqual(['two', 'three', 'five']);
    expectError(
      await client
        .path('/text/blocklists/{blocklistName}/blocklistItems/{blocklistItemId}', 'terms', ids.one ?? '')
        .get(),
      '404',
      'ResourceNotFound',
    );
  });

  test('a hit is reported per item, case-insensitively and on whole words; haltOnBlocklistHit skips the categories', async () => {
    await createList('violence');
    const ids = await addItems('violence', [
      { text: 'bleed' },
      { text: 'b[i1][a@][s\\$]', isRegex: true } as TextBlocklistItem,
    ]);
    emu.control.setSeverityTerms([{ term: 'beat', category: 'Violence', severity: 4 }]);

    const hit = await analyze({ text: 'I want to beat you till you BLEED', blocklistNames: ['violence'] });
    expect(hit).toEqual({
      blocklistsMatch: [{ blocklistName: 'violence', blocklistItemId: ids.bleed, blocklistItemText: 'bleed' }],
      categoriesAnalysis: [
        { category: 'Hate', severity: 0 },
        { category: 'SelfHarm', severity: 0 },
        { category: 'Sexual', severity: 0 },
        { category: 'Violence', severity: 4 },
      ],
    });
    const halted = await analyze({ text: 'you will bleed', blocklistNames: ['violence'], haltOnBlocklistHit: true });
    expect(halted).toEqual({
      blocklistsMatch: [expect.objectContaining({ blocklistItemText: 'bleed' })],
      categoriesAnalysis: [],
    });
    // No hit: haltOnBlocklistHit changes nothing.
    const clean = await analyze({ text: 'bleeding edge', blocklistNames: ['violence'], haltOnBlocklistHit: true });
    expect(clean.blocklistsMatch).toEqual([]);
    expect(clean.categoriesAnalysis).toHaveLength(4);
    // A regex item (api-version 2024-09-01) matches as written.
    const regex = await analyze({ text: 'so B1@$ed', blocklistNames: ['violence'], categories: [] });
    expect(regex).toEqual({
      blocklistsMatch: [
        { blocklistName: 'violence', blocklistItemId: ids['b[i1][a@][s\\$]'], blocklistItemText: 'b[i1][a@][s\\$]' },
      ],
      categoriesAnalysis: [],
    });
  });

  test('limits: 128 code points per item, 100 items per request, 10,000 terms across all lists; bad regex', async () => {
    await createList('a');
    await createList('b');
    const add = (name: string, blocklistItems: { text: string; isRegex?: boolean }[]) =>
      client
        .path('/text/blocklists/{blocklistName}:addOrUpdateBlocklistItems', name)
        .post({ body: { blocklistItems: blocklistItems } });
    await addItems('a', [{ text: 'é'.repeat(128) }]);
    expectError(await add('a', [{ text: 'é'.repeat(129) }]), '400', 'InvalidRequestBody');
    expectError(await add('a', [{ text: '' }]), '400', 'InvalidRequestBody');
    const batch = (list: string, n: number) => Array.from({ length: n }, (_, i) => ({ text: `${list}-${n}-${i}` }));
    expectError(await add('a', batch('a', 101)), '400', 'InvalidRequestBody');
    expectError(await add('a', [{ text: '(unclosed', isRegex: true }]), '400', 'InvalidRequestBody');

    for (let i = 0; i < 99; i++) await addItems(i % 2 ? 'a' : 'b', batch(`x${i}`, 100)); // 9,901 terms
    await addItems('b', batch('y', 99)); // 10,000
    expectError(await add('a', [{ text: 'one too many' }]), '400', 'InvalidRequestBody');
    // Updating a term already there adds nothing, so it is still allowed.
    await addItems('a', [{ text: 'é'.repeat(128), description: 'updated' }]);
  });

  test('an unknown blocklist is 404 ResourceNotFound for analysis and item operations', async () => {
    expectError(
      await client.path('/text:analyze').post({ body: { text: 'hello', blocklistNames: ['missing'] } }),
      '404',
      'ResourceNotFound',
    );
    expectError(
      await client.path('/text/blocklists/{blocklistName}/blocklistItems', 'missing').get(),
      '404',
      'ResourceNotFound',
    );
    expectError(
      await client
        .path('/text/blocklists/{blocklistName}:addOrUpdateBlocklistItems', 'missing')
        .post({ body: { blocklistItems: [{ text: 'x' }] } }),
      '404',
      'ResourceNotFound',
    );
  });
});

describe('Content Safety emulator: authentication and api-versions', () => {
  test('a wrong key or none is 401; Entra tokens for https://cognitiveservices.azure.com pass', async () => {
    expectError(await clientWith(new AzureKeyCredential('not-the-key')).path('/text/blocklists').get(), '401', '401');
    const now = Math.floor(Date.now() / 1000);
    const good = clientWith(entraCredential({ aud: 'https://cognitiveservices.azure.com', iat: now, exp: now + 3600 }));
    expect((await good.path('/text/blocklists').get()).status).toBe('200');
    const otherAudience = entraCredential({ aud: 'https://storage.azure.com', exp: now + 3600 });
    expectError(await clientWith(otherAudience).path('/text/blocklists').get(), '401', '401');
    const expired = entraCredential({ aud: 'https://cognitiveservices.azure.com', exp: now - 3600 });
    expectError(await clientWith(expired).path('/text/blocklists').get(), '401', '401');
    const notAJwt: TokenCredential = {
      getToken: async () => ({ token: 'opaque', expiresOnTimestamp: Date.now() + 60_000 }),
    };
    expectError(await clientWith(notAJwt).path('/text/blocklists').get(), '401', '401');
  });

  test("the SDK's default api-version (2023-10-01) works, without isRegex; the endpoint may lack its trailing slash", async () => {
    const sdkDefault = createClient(emu.endpoint.replace(/\/$/, ''), new AzureKeyCredential(emu.key), {
      tlsOptions: { ca: emu.caCertPem },
    });
    await sdkDefault
      .path('/text/blocklists/{blocklistName}', 'old')
      .patch({ contentType: 'application/merge-patch+json', body: { description: 'GA 2023' } });
    const added = await sdkDefault
      .path('/text/blocklists/{blocklistName}:addOrUpdateBlocklistItems', 'old')
      .post({ body: { blocklistItems: [{ text: 'b.d', isRegex: true } as TextBlocklistItem] } });
    expect(added.body).toEqual({ blocklistItems: [{ blocklistItemId: expect.any(String), text: 'b.d' }] });
    // 2023-10-01 has no regex items: the text is a literal.
    const res = await analyze({ text: 'bad b.d', blocklistNames: ['old'] }, sdkDefault);
    expect(res.blocklistsMatch).toEqual([expect.objectContaining({ blocklistItemText: 'b.d' })]);
    expect(emu.control.recentAnalyses().map((a) => a.apiVersion)).toEqual(['2023-10-01']);
    const unsupported = await client
      .pathUnchecked('/text/blocklists')
      .get({ queryParameters: { 'api-version': '2022-01-01' } });
    expectError(unsupported, '400', 'UnsupportedApiVersion');
  });
});
