/**
 * src/index.ts is what the Functions host loads: it must validate settings first and register the whole route
 * table, every HTTP function anonymous (authentication is ours), the timer on the configured schedule and the
 * Event Grid trigger for chat events.
 * The `app` object of @azure/functions is replaced by a recorder; nothing else is faked.
 */
interface Registration {
  kind: 'http' | 'timer' | 'eventGrid';
  name: string;
  options: { methods?: string[]; route?: string; authLevel?: string; schedule?: string; handler?: unknown };
}

const registrations: Registration[] = [];

jest.mock('@azure/functions', () => ({
  ...jest.requireActual<object>('@azure/functions'),
  app: {
    http: (name: string, options: Registration['options']) => registrations.push({ kind: 'http', name, options }),
    timer: (name: string, options: Registration['options']) => registrations.push({ kind: 'timer', name, options }),
    eventGrid: (name: string, options: Registration['options']) =>
      registrations.push({ kind: 'eventGrid', name, options }),
  },
}));

const settings = {
  ACS_CONNECTION_STRING: 'endpoint=https://127.0.0.1:1/;accesskey=a2V5',
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  AUTH_ISSUER: 'https://login.example.com/tenant/v2.0',
  AUTH_AUDIENCE: 'api://chat',
  PRUNE_SCHEDULE: '0 */30 * * * *',
};

function loadIndex(env: Record<string, string>): void {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy of the entry point per test
      require('../../src/index');
    });
  } finally {
    process.env = saved;
  }
}

describe('src/index.ts', () => {
  beforeEach(() => {
    registrations.length = 0;
  });

  it('registers every function of the route table', () => {
    loadIndex(settings);
    const http = registrations.filter((registration) => registration.kind === 'http');
    expect(http.length).toBeGreaterThanOrEqual(20);
    expect(http.every((registration) => registration.options.authLevel === 'anonymous')).toBe(true);
    expect(new Set(registrations.map((registration) => registration.name)).size).toBe(registrations.length);
    const routes = http.flatMap((registration) =>
      (registration.options.methods ?? []).map((method) => `${method} ${registration.options.route}`),
    );
    expect(new Set(routes).size).toBe(routes.length);
    // The Functions host reserves routes that start with "admin".
    expect(http.filter((registration) => /^admin(\/|$)/i.test(registration.options.route ?? ''))).toEqual([]);
    expect(registrations.filter((registration) => registration.kind === 'timer')).toEqual([
      { kind: 'timer', name: 'pruneThreads', options: expect.objectContaining({ schedule: '0 */30 * * * *' }) },
    ]);
    // Only a handler: app.eventGrid has no trigger options, and the infra subscription points at this name.
    expect(registrations.filter((registration) => registration.kind === 'eventGrid')).toEqual([
      { kind: 'eventGrid', name: 'chatEvents', options: { handler: expect.any(Function) } },
    ]);
  });

  it('refuses to start with a message naming a missing setting', () => {
    const { AUTH_AUDIENCE: _omitted, ...incomplete } = settings;
    const saved = process.env.AUTH_AUDIENCE;
    delete process.env.AUTH_AUDIENCE;
    try {
      expect(() => loadIndex(incomplete)).toThrow(/AUTH_AUDIENCE is required/);
    } finally {
      if (saved !== undefined) process.env.AUTH_AUDIENCE = saved;
    }
    expect(registrations).toEqual([]);
  });
});
