import { ConfigError, loadConfig } from '../../src/config';

const valid = {
  ACS_CONNECTION_STRING: 'endpoint=https://127.0.0.1:1/;accesskey=a2V5',
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  AUTH_ISSUER: 'https://login.example.com/tenant/v2.0',
  AUTH_AUDIENCE: 'api://chat',
};

function errorFor(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(valid);
    expect(config.userTokens).toEqual({
      allowedScopes: ['chat.join.limited'],
      defaultScopes: ['chat.join.limited'],
      defaultMinutes: 60,
    });
    expect(config.pruning).toEqual({ retentionDays: 30, schedule: '0 0 3 * * *' });
    expect(config.auth).toEqual({
      issuer: valid.AUTH_ISSUER,
      audiences: ['api://chat'],
      adminRole: 'Chat.Admin',
      rolesClaim: 'roles',
    });
    expect(config.tables).toEqual({
      kind: 'connectionString',
      connectionString: 'UseDevelopmentStorage=true',
      tableNamePrefix: 'chat',
    });
  });

  it('uses managed identity when only endpoints are set', () => {
    const config = loadConfig({
      ACS_ENDPOINT: 'https://x.communication.azure.com/',
      AzureWebJobsStorage__tableServiceUri: 'https://acct.table.core.windows.net',
      AzureWebJobsStorage__clientId: 'cid',
      AUTH_ISSUER: valid.AUTH_ISSUER,
      AUTH_AUDIENCE: 'a, b',
      THREAD_RETENTION_DAYS: '0.0001',
    });
    expect(config.acs).toEqual({ kind: 'managedIdentity', endpoint: 'https://x.communication.azure.com/' });
    expect(config.tables).toMatchObject({
      kind: 'managedIdentity',
      endpoint: 'https://acct.table.core.windows.net',
      clientId: 'cid',
    });
    expect(config.auth.audiences).toEqual(['a', 'b']);
    expect(config.pruning.retentionDays).toBeCloseTo(0.0001);
  });

  it.each([
    ['AUTH_ISSUER', { AUTH_ISSUER: undefined }, /AUTH_ISSUER is required/],
    ['AUTH_ISSUER', { AUTH_ISSUER: 'not a url' }, /AUTH_ISSUER is malformed/],
    ['AUTH_ISSUER', { AUTH_ISSUER: 'http://issuer.example.com' }, /AUTH_ISSUER is malformed: must use https/],
    ['AUTH_AUDIENCE', { AUTH_AUDIENCE: ' , ' }, /AUTH_AUDIENCE is malformed/],
    ['ACS_ENDPOINT', { ACS_CONNECTION_STRING: '' }, /ACS_ENDPOINT is required/],
    ['ACS_CONNECTION_STRING', { ACS_CONNECTION_STRING: 'endpoint=x' }, /ACS_CONNECTION_STRING is malformed/],
    [
      'AzureWebJobsStorage__tableServiceUri',
      { AzureWebJobsStorage: undefined },
      /AzureWebJobsStorage__tableServiceUri is required/,
    ],
    ['USER_TOKEN_SCOPES', { USER_TOKEN_SCOPES: 'chat,admin' }, /USER_TOKEN_SCOPES is malformed/],
    ['USER_TOKEN_MINUTES', { USER_TOKEN_MINUTES: '30' }, /USER_TOKEN_MINUTES is malformed/],
    ['THREAD_RETENTION_DAYS', { THREAD_RETENTION_DAYS: '-1' }, /THREAD_RETENTION_DAYS is malformed/],
    ['PRUNE_SCHEDULE', { PRUNE_SCHEDULE: '0 3 * * *' }, /PRUNE_SCHEDULE is malformed/],
    ['TABLE_NAME_PREFIX', { TABLE_NAME_PREFIX: '1bad-prefix' }, /TABLE_NAME_PREFIX is malformed/],
    ['WEBPUBSUB_ENDPOINT', { WEBPUBSUB_ENDPOINT: 'http://x.webpubsub.azure.com' }, /must use https/],
    [
      'WEBPUBSUB_CONNECTION_STRING',
      { WEBPUBSUB_CONNECTION_STRING: 'Endpoint=https://x.webpubsub.azure.com;Version=1.0;' },
      /WEBPUBSUB_CONNECTION_STRING is malformed: expected Endpoint/,
    ],
    [
      'WEBPUBSUB_CONNECTION_STRING',
      { WEBPUBSUB_CONNECTION_STRING: 'Endpoint=http://x.example.com;AccessKey=k;Version=1.0;' },
      /its Endpoint must use https/,
    ],
    ['WEBPUBSUB_HUB', { WEBPUBSUB_HUB: 'chat-hub' }, /WEBPUBSUB_HUB is malformed/],
    ['WEBPUBSUB_CLIENT_MINUTES', { WEBPUBSUB_CLIENT_MINUTES: '61' }, /WEBPUBSUB_CLIENT_MINUTES is malformed/],
  ])('names %s when it is missing or malformed', (setting, overrides, message) => {
    const error = errorFor({ ...valid, ...overrides });
    expect(error.setting).toBe(setting);
    expect(error.message).toMatch(message);
  });

  it('turns live updates on with a Web PubSub endpoint (managed identity) or, locally, a connection string', () => {
    expect(loadConfig(valid).webPubSub).toBeUndefined();
    expect(
      loadConfig({ ...valid, WEBPUBSUB_ENDPOINT: 'https://x.webpubsub.azure.com', AZURE_CLIENT_ID: 'cid' }).webPubSub,
    ).toEqual({
      kind: 'managedIdentity',
      endpoint: 'https://x.webpubsub.azure.com',
      clientId: 'cid',
      hub: 'chat',
      clientMinutes: 60,
    });
    const local = 'Endpoint=http://127.0.0.1:8080;AccessKey=a2V5;Version=1.0;';
    expect(
      loadConfig({
        ...valid,
        WEBPUBSUB_CONNECTION_STRING: local,
        WEBPUBSUB_HUB: 'chat_2',
        WEBPUBSUB_CLIENT_MINUTES: '5',
      }).webPubSub,
    ).toEqual({ kind: 'connectionString', connectionString: local, hub: 'chat_2', clientMinutes: 5 });
  });

  it('never echoes a malformed secret back in the error', () => {
    const error = errorFor({ ...valid, ACS_CONNECTION_STRING: 'accesskey=topsecretvalue' });
    expect(error.message).not.toContain('topsecretvalue');
    const wps = errorFor({ ...valid, WEBPUBSUB_CONNECTION_STRING: 'AccessKey=topsecretvalue' });
    expect(wps.message).not.toContain('topsecretvalue');
  });
});
