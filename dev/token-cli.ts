import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { loadOrCreateSigningKey, signDevToken } from './issuer';
import type { DevStackInfo } from './local-stack';

/**
 * `npm run -s dev:token -- <userId> [--name "Name"] [--roles r1,r2] [--email a@b.example]` prints a bearer JWT the
 * running dev stack accepts.
 */
const dataDir = path.resolve(__dirname, '..', process.env.DEV_DATA_DIR ?? '.local');

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      roles: { type: 'string' },
      email: { type: 'string' },
      minutes: { type: 'string' },
    },
  });
  const userId = positionals[0];
  if (!userId)
    throw new Error(
      'usage: npm run -s dev:token -- <userId> [--name "Display Name"] [--roles r1,r2] [--email a@b.example] [--minutes 60]',
    );
  const info = JSON.parse(
    await fs.readFile(path.join(dataDir, 'dev-stack.json'), 'utf8').catch(() => {
      throw new Error('No running dev stack found (.local/dev-stack.json). Start it with: npm run dev');
    }),
  ) as DevStackInfo;
  const keyFile = path.join(dataDir, 'dev-issuer', 'signing-key.json');
  await fs.access(keyFile).catch(() => {
    throw new Error('The dev issuer key is missing; start the dev stack with npm run dev first.');
  });
  const key = await loadOrCreateSigningKey(keyFile);
  const token = await signDevToken(key, info.auth.issuer, info.auth.audience, userId, {
    ...(values.name ? { name: values.name } : {}),
    ...(values.email ? { email: values.email } : {}),
    ...(values.roles
      ? {
          roles: values.roles
            .split(',')
            .map((role) => role.trim())
            .filter(Boolean),
        }
      : {}),
    expiresInSeconds: Number(values.minutes ?? '60') * 60,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
