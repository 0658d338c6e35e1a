import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { FaultInjector } from '../acs/faults';
import { loadOrCreateTls } from '../acs/tls';
import { BlocklistStore } from './blocklists';
import { type ContentSafetyControl, createControl, rateLimiterFor, validRateLimit } from './control';
import { createContentSafetyServer } from './server';
import { SeverityTable } from './severity';
import type { ContentSafetyState, RateLimitSetting } from './state';

/**
 * Azure AI Content Safety emulator (dev/test tool; never imported by src/): text analysis and text blocklists,
 * api-versions 2024-09-01 and 2023-10-01, on HTTPS on loopback. HTTPS because the Azure SDK pipeline refuses to send
 * a bearer token over plain HTTP, and the backend reaches Content Safety with its managed identity.
 */

export type { ActiveFault, FaultSpec } from '../acs/faults';
export { COGNITIVE_SERVICES_AUDIENCE } from './auth';
export type { ContentSafetyControl } from './control';
export { ContentSafetyControlClient } from './control-client';
export { OPERATIONS } from './routes';
export type { SeverityTerm } from './severity';
export type { AnalysisRecord, RateLimitSetting } from './state';

export interface ContentSafetyEmulatorOptions {
  /** 0 or undefined = a free port. */
  port?: number;
  /** The resource key (`Ocp-Apim-Subscription-Key`); default: 32 random hex digits, like a real key. */
  key?: string;
  /**
   * Where the CA and server certificate live (reused when there); pass the ACS emulator's data dir to trust a single
   * CA. Default: a temp dir that close() removes.
   */
  tlsDir?: string;
  /** Rate limiting of text:analyze: `'S0'` (default, 1000 per 10 s), `'F0'` (5 per s), a custom one, or `'off'`. */
  rateLimit?: RateLimitSetting;
}

export interface RunningContentSafetyEmulator {
  /** `https://127.0.0.1:<port>/`, to pass to `createClient(endpoint, credential)` as is. */
  endpoint: string;
  key: string;
  port: number;
  caCertPath: string;
  caCertPem: string;
  /** System CAs plus ours, for NODE_EXTRA_CA_CERTS. */
  caBundlePath: string;
  control: ContentSafetyControl;
  /** Closes the server and every keep-alive socket. */
  close(): Promise<void>;
}

export async function startContentSafetyEmulator(
  options: ContentSafetyEmulatorOptions = {},
): Promise<RunningContentSafetyEmulator> {
  const tlsDir =
    options.tlsDir === undefined ? mkdtempSync(join(tmpdir(), 'content-safety-emulator-')) : resolve(options.tlsDir);
  const tls = loadOrCreateTls(tlsDir);
  const rateLimit = validRateLimit(options.rateLimit ?? 'S0');
  const st: ContentSafetyState = {
    key: options.key ?? randomBytes(16).toString('hex'),
    blocklists: new BlocklistStore(),
    severity: new SeverityTable(),
    faults: new FaultInjector(),
    rateLimit: { setting: rateLimit, limiter: rateLimiterFor(rateLimit) },
    counts: new Map(),
    outage: { untilMs: 0 },
    delay: { ms: 0 },
    analyses: [],
  };
  const control = createControl(st, rateLimit);
  const server = createContentSafetyServer(tls, st, control);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;

  let closed: Promise<void> | undefined;
  return {
    endpoint: `https://127.0.0.1:${port}/`,
    key: st.key,
    port,
    caCertPath: tls.caCertPath,
    caCertPem: tls.caCertPem,
    caBundlePath: tls.caBundlePath,
    control,
    close: () =>
      (closed ??= (async () => {
        const done = new Promise<void>((ok) => server.close(() => ok()));
        server.closeAllConnections();
        await done;
        if (options.tlsDir === undefined) rmSync(tlsDir, { recursive: true, force: true });
      })()),
  };
}
