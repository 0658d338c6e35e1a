import { parseArgs } from 'node:util';

import { startEmulator } from '../index';

/** `npm run emulator [-- --port 8443 --data-dir .local/emulator | --in-memory]` */

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8443' },
    'data-dir': { type: 'string', default: '.local/emulator' },
    'in-memory': { type: 'boolean', default: false },
    'access-key': { type: 'string' },
    'no-rate-limits': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`ACS emulator (Identity + Chat over HTTPS on 127.0.0.1)

Options:
  --port <n>          port to listen on (default 8443, 0 = any free port)
  --data-dir <dir>    where state, keys and certificates live (default .local/emulator)
  --in-memory         keep nothing on disk (certificates go to a temp dir)
  --access-key <b64>  use this access key instead of the saved/generated one
  --no-rate-limits    do not enforce ACS's published rate limits (on by default, as in production)`);
  process.exit(0);
}

async function main(): Promise<void> {
  const emu = await startEmulator({
    port: Number(values.port),
    ...(values['in-memory'] ? {} : { dataDir: values['data-dir'] }),
    ...(values['access-key'] ? { accessKey: values['access-key'] } : {}),
    ...(values['no-rate-limits'] ? { rateLimits: false } : {}),
  });
  console.log(`ACS emulator listening
  endpoint:          ${emu.endpoint}
  connection string: ${emu.connectionString}
  CA certificate:    ${emu.caCertPath}
  CA bundle:         ${emu.caBundlePath}   (use as NODE_EXTRA_CA_CERTS or REQUESTS_CA_BUNDLE)
  data:              ${emu.dataDir ?? '(in memory)'}
Ctrl-C to stop.`);
  const stop = (): void => {
    void emu.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
