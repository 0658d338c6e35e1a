import { spawnSync } from 'node:child_process';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { BUNDLE_ENTRY, bundleEntryPoint } from '../../scripts/build';

/**
 * What the Functions host loads is the bundle `npm run build` makes (package.json `main`), so that is what is tested:
 * built here with the same options, then loaded in a fresh Node process by test/helpers/load-entry.cjs, which answers
 * `@azure/functions-core` as the Functions worker does and records what registers. It must validate settings first and
 * register the whole route table, every HTTP function anonymous (authentication is ours), the timer on the configured
 * schedule and the Event Grid trigger for chat events. A bundling mistake (a module that fails to load, a dependency
 * left out) fails here.
 */
interface Binding {
  type: string;
  direction: string;
  methods?: string[];
  route?: string;
  authLevel?: string;
  schedule?: string;
}
interface Loaded {
  functions: Array<{ name: string; bindings: Binding[]; handler: string }>;
  response?: { status?: number; jsonBody?: { openapi?: string; paths?: Record<string, unknown> } };
  servicesMs?: number;
}

const loader = path.resolve(__dirname, '..', 'helpers', 'load-entry.cjs');
const settings = {
  ACS_CONNECTION_STRING: 'endpoint=https://127.0.0.1:1/;accesskey=a2V5',
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  AUTH_ISSUER: 'https://login.example.com/tenant/v2.0',
  AUTH_AUDIENCE: 'api://chat',
  PRUNE_SCHEDULE: '0 */30 * * * *',
  RETENTION_SCHEDULE: '0 45 */2 * * *',
  // Built, not called: the Blob SDK loads from the bundle.
  ATTACHMENTS_BLOB_ENDPOINT: 'https://127.0.0.1:1/devstoreaccount1',
  // Built, not called: the Content Safety client loads from the bundle, and its recheck timer registers.
  CONTENT_SAFETY_ENDPOINT: 'https://127.0.0.1:1/',
  MODERATION_RECHECK_SCHEDULE: '0 */5 * * * *',
  // Built, not called: the Email client loads from the bundle, and the away-email timer registers.
  EMAIL_SENDER: 'DoNotReply@example.invalid',
  PUBLIC_API_URL: 'https://chat.example.invalid/api',
};

let outDir: string;
let entry: string;

beforeAll(async () => {
  outDir = await realpath(await mkdtemp(path.join(tmpdir(), 'bundle-')));
  await bundleEntryPoint(outDir);
  entry = path.join(outDir, path.basename(BUNDLE_ENTRY));
});

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

/** Loads the bundle in a fresh process with exactly these settings (nothing inherited from the test's own). */
function load(env: Record<string, string>, invoke?: string): { loaded?: Loaded; stderr: string } {
  const result = spawnSync(process.execPath, [loader, entry, ...(invoke ? [invoke] : [])], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return { loaded: result.status === 0 ? (JSON.parse(result.stdout) as Loaded) : undefined, stderr: result.stderr };
}

describe('the bundle the Functions host loads (src/index.ts)', () => {
  it('starts the bundled OpenTelemetry SDK when Application Insights is configured, and handlers still answer', () => {
    const { loaded, stderr } = load(
      {
        ...settings,
        // Keyless, as deployed: the exporter gets a managed identity credential (never called here).
        APPLICATIONINSIGHTS_CONNECTION_STRING:
          'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:1/',
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=00000000-0000-0000-0000-000000000001',
      },
      'openApi',
    );
    // A failed start would say "telemetry not started" on stderr (and run untraced).
    expect(stderr).toBe('');
    expect(loaded?.response?.status).toBe(200);
  });

  it('registers every function of the route table, and a handler runs from the bundle', () => {
    const { loaded, stderr } = load(settings, 'openApi');
    expect(stderr).toBe('');
    const functions = loaded?.functions ?? [];
    const trigger = (fn: (typeof functions)[number]): Binding | undefined =>
      fn.bindings.find((binding) => binding.direction === 'in');
    const http = functions.filter((fn) => trigger(fn)?.type === 'httpTrigger');
    expect(http.length).toBeGreaterThanOrEqual(20);
    expect(http.every((fn) => trigger(fn)?.authLevel === 'anonymous')).toBe(true);
    expect(functions.every((fn) => fn.handler === 'function')).toBe(true);
    expect(new Set(functions.map((fn) => fn.name)).size).toBe(functions.length);
    const routes = http.flatMap((fn) =>
      (trigger(fn)?.methods ?? []).map((method) => `${method} ${trigger(fn)?.route}`),
    );
    expect(new Set(routes).size).toBe(routes.length);
    // The Functions host reserves routes that start with "admin".
    expect(http.filter((fn) => /^admin(\/|$)/i.test(trigger(fn)?.route ?? ''))).toEqual([]);
    expect(functions.filter((fn) => trigger(fn)?.type === 'timerTrigger')).toEqual([
      expect.objectContaining({
        name: 'sweepAttachments',
        bindings: [expect.objectContaining({ schedule: '0 */10 * * * *' })],
      }),
      expect.objectContaining({
        name: 'recheckModeration',
        bindings: [expect.objectContaining({ schedule: '0 */5 * * * *' })],
      }),
      expect.objectContaining({
        name: 'pruneModerationAudit',
        bindings: [expect.objectContaining({ schedule: '0 30 3 * * *' })],
      }),
      expect.objectContaining({
        name: 'sendAwayEmails',
        bindings: [expect.objectContaining({ schedule: '0 */1 * * * *' })],
      }),
      expect.objectContaining({
        name: 'pruneThreads',
        bindings: [expect.objectContaining({ schedule: '0 */30 * * * *' })],
      }),
      expect.objectContaining({
        name: 'enforceRetention',
        bindings: [expect.objectContaining({ schedule: '0 45 */2 * * *' })],
      }),
      expect.objectContaining({
        name: 'continueErasures',
        bindings: [expect.objectContaining({ schedule: '0 */1 * * * *' })],
      }),
    ]);
    // The infra subscription points at this name.
    expect(functions.filter((fn) => trigger(fn)?.type === 'eventGridTrigger').map((fn) => fn.name)).toEqual([
      'chatEvents',
    ]);
    // The OpenAPI document is built from the zod schemas inside the bundle.
    expect(loaded?.response?.status).toBe(200);
    expect(loaded?.response?.jsonBody?.openapi).toBe('3.1.0');
    expect(Object.keys(loaded?.response?.jsonBody?.paths ?? {})).toEqual(
      expect.arrayContaining(['/token', '/threads', '/threads/{threadId}/messages']),
    );
  });

  it('loads the Azure SDK clients, which the first invocation that needs them imports, from the bundle', () => {
    const { loaded, stderr } = load(settings, '--services');
    expect(stderr).toBe('');
    expect(loaded?.servicesMs).toEqual(expect.any(Number));
  });

  it('refuses to start with a message naming a missing setting', () => {
    const { AUTH_AUDIENCE: _omitted, ...incomplete } = settings;
    const { loaded, stderr } = load(incomplete);
    expect(loaded).toBeUndefined();
    expect(stderr).toMatch(/AUTH_AUDIENCE is required/);
  });
});
