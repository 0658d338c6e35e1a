import fs from 'node:fs/promises';
import path from 'node:path';

import { ConfigError } from '../src/config';
import { DEV_EVENT_TIME_SCALE, orphanDeletedAfterMs } from './event-clock';
import { startLocalStack } from './local-stack';

/**
 * `npm run dev`: the whole backend locally, no Azure and no internet. One process; Ctrl-C or SIGTERM stops it all.
 * Data persists under .local/; .local/dev-stack.json describes the running stack.
 */
const root = path.resolve(__dirname, '..');
const dataDir = path.resolve(root, process.env.DEV_DATA_DIR ?? '.local');
const stackFile = path.join(dataDir, 'dev-stack.json');

async function main(): Promise<void> {
  // Fixed ports by default: 7071 as `func start`, 10002 as Azurite's own (so UseDevelopmentStorage=true reaches it).
  const stack = await startLocalStack({
    port: portSetting('DEV_PORT', 7071),
    tablesPort: portSetting('DEV_TABLES_PORT', 10002),
    acsPort: portSetting('DEV_ACS_PORT', 7443),
    // 8080, as Microsoft's own Web PubSub emulator (awps-emulator) listens.
    webPubSubPort: portSetting('DEV_WEBPUBSUB_PORT', 8080),
    blobPort: portSetting('DEV_BLOB_PORT', 10000),
    contentSafetyPort: portSetting('DEV_CONTENT_SAFETY_PORT', 7444),
    dataDir,
    env: process.env,
    runTimers: true,
    // DEV_TELEMETRY=console prints spans and metrics; OTEL_EXPORTER_OTLP_ENDPOINT sends them to a collector.
    ...(devTelemetry() === 'console' ? { telemetry: { console: true, metricIntervalMs: 10_000 } } : {}),
    // ACS's rate limits are on unless DEV_ACS_RATE_LIMITS=off (benchmarks of the backend's own overhead use that).
    acsRateLimits: process.env.DEV_ACS_RATE_LIMITS !== 'off',
    // Event Grid's retry schedule and time-to-live in the emulator, and the orphan grace period with them.
    eventTimeScale: timeScaleSetting('DEV_EVENT_TIME_SCALE', DEV_EVENT_TIME_SCALE),
    // Local browser apps on any port may call the dev API, as with `Host.CORS: "*"` for func start.
    corsOrigins: (process.env.DEV_CORS_ORIGINS ?? '*')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  });
  // It holds the emulator's access key: readable by the developer alone. Written atomically (temp file + rename):
  // scripts and tests poll for this file and must never read it half-written.
  await fs.writeFile(`${stackFile}.tmp`, `${JSON.stringify(stack.info, null, 2)}\n`, { mode: 0o600 });
  await fs.chmod(`${stackFile}.tmp`, 0o600);
  await fs.rename(`${stackFile}.tmp`, stackFile);

  const { info } = stack;
  console.log(
    [
      '',
      'ACS chat backend: local dev stack is running',
      `  API            ${info.apiBaseUrl}   (try: curl ${info.apiBaseUrl}/health)`,
      `  ACS            ${info.acs.endpoint}${stack.emulator ? ' (emulator)' : ''}`,
      ...(info.acs.connectionString ? [`  ACS connection ${info.acs.connectionString}`] : []),
      ...(info.acs.caCertPath ? [`  ACS CA cert    ${info.acs.caCertPath}`] : []),
      ...(info.webPubSub
        ? [
            `  Web PubSub     ${info.webPubSub.endpoint} (emulator)`,
            `  Web PubSub key ${info.webPubSub.connectionString}`,
          ]
        : []),
      ...(info.blob
        ? [`  Blob           ${info.blob.endpoint}/${info.blob.container} (Azurite, HTTPS: trust the CA cert above)`]
        : []),
      ...(info.contentSafety
        ? [
            `  Moderation     ${info.contentSafety.endpoint} (Content Safety emulator, same CA; blocklists: ${info.contentSafety.blocklists.join(', ')})`,
          ]
        : []),
      `  Tables         ${'connectionString' in info.storage ? info.storage.connectionString : info.storage.endpoint}`,
      `  Auth issuer    ${info.auth.issuer}`,
      `  Auth audience  ${info.auth.audience}`,
      ...(info.chatEvents
        ? [
            `  Chat events    emulator → ${info.chatEvents.webhook}`,
            `  Event Grid     ${eventClock(info.chatEvents.timeScale, stack.config.orphanThreadGraceSeconds)}`,
          ]
        : []),
      ...(stack.config.notifications && stack.emulator
        ? [`  Mailbox        ${stack.host.origin}/dev/mailbox (away emails, sent by ACS Email in the emulator)`]
        : []),
      `  Telemetry      ${telemetryLine(stack.config.telemetry.otlpEndpoint)}`,
      `  Timers         on their schedules; run one now: curl -X POST ${stack.host.origin}/admin/functions/pruneThreads`,
      `  Get a token    npm run -s dev:token -- alice --name "Alice"`,
      `  Written to     ${path.relative(process.cwd(), stackFile)}`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the dev stack...`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    void stack
      .close()
      .then(() => fs.rm(stackFile, { force: true }))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  // npm runs us through `sh -c`, which dies on SIGTERM without passing it on: when our parent goes, we go.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop('parent exited');
  }, 500).unref();
}

/** The emulated Event Grid's clock, and what it means for an orphan thread (see dev/event-clock.ts). */
function eventClock(timeScale: number, graceSeconds: number): string {
  const clock = `Azure's retry schedule × ${timeScale}`;
  const deletedAfterMs = orphanDeletedAfterMs(graceSeconds * 1000, timeScale);
  if (deletedAfterMs === undefined)
    return `${clock}; orphan threads are never deleted (ORPHAN_THREAD_GRACE_SECONDS=${graceSeconds} outlasts it)`;
  return `${clock}; orphan threads deleted ${deletedAfterMs / 1000} s after creation (grace ${graceSeconds} s)`;
}

/** DEV_TELEMETRY: `console` prints spans and metrics to this terminal; unset or `off` prints none. */
function devTelemetry(): 'console' | 'off' {
  const value = process.env.DEV_TELEMETRY?.trim() ?? '';
  if (value === '' || value === 'off') return 'off';
  if (value === 'console') return 'console';
  throw new Error('DEV_TELEMETRY must be console or off');
}

function telemetryLine(otlpEndpoint: string | undefined): string {
  const outputs = [
    ...(devTelemetry() === 'console' ? ['spans and metrics printed here (DEV_TELEMETRY=console)'] : []),
    ...(otlpEndpoint ? [`OTLP to ${otlpEndpoint}`] : []),
  ];
  return outputs.length > 0
    ? outputs.join('; ')
    : 'off (DEV_TELEMETRY=console prints spans and metrics; OTEL_EXPORTER_OTLP_ENDPOINT sends them to a collector)';
}

function timeScaleSetting(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const scale = Number(value);
  if (!(scale > 0 && scale <= 1)) throw new Error(`${name} must be a number above 0 and at most 1`);
  return scale;
}

function portSetting(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new Error(`${name} must be a port number (0 picks a free one)`);
  return Number(value);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('The dev stack could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
