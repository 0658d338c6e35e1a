import { AzureKeyCredential } from '@azure/core-auth';
import createClient, { isUnexpected } from '@azure-rest/ai-content-safety';

import { type RunningContentSafetyEmulator, startContentSafetyEmulator } from '../emulator/contentsafety';

/** The blocklist the dev stack creates when CONTENT_SAFETY_BLOCKLISTS names none. */
export const DEV_BLOCKLIST = 'chat-blocklist';

/**
 * The Content Safety emulator for the dev stack, with the configured blocklists created in it through the official
 * client (as an admin would create them in Azure), so that text:analyze can name them. Terms are added the same way,
 * or through the emulator's control API; severity scores come from its term table (see emulator/README.md).
 */
export async function startLocalContentSafety(options: {
  port?: number;
  tlsDir?: string;
  blocklists: string[];
}): Promise<RunningContentSafetyEmulator> {
  const emulator = await startContentSafetyEmulator({
    port: options.port ?? 0,
    ...(options.tlsDir ? { tlsDir: options.tlsDir } : {}),
  });
  try {
    const client = createClient(emulator.endpoint, new AzureKeyCredential(emulator.key), {
      tlsOptions: { ca: emulator.caCertPem },
    });
    for (const name of options.blocklists) {
      const response = await client
        .path('/text/blocklists/{blocklistName}', name)
        .patch({ body: { description: 'Created by the dev stack' }, contentType: 'application/merge-patch+json' });
      if (isUnexpected(response)) throw new Error(`could not create blocklist ${name}: ${response.status}`);
    }
    return emulator;
  } catch (error) {
    await emulator.close();
    throw error;
  }
}
