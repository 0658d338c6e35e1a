import { AzureKeyCredential } from '@azure/core-auth';
import createClient, { isUnexpected } from '@azure-rest/ai-content-safety';

import type { RunningContentSafetyEmulator } from '../../emulator/contentsafety';

/** Adds terms to a blocklist of the stack's Content Safety emulator, through the official client (as admins do). */
export async function addBlocklistTerms(
  emulator: RunningContentSafetyEmulator,
  blocklist: string,
  terms: string[],
): Promise<void> {
  const client = createClient(emulator.endpoint, new AzureKeyCredential(emulator.key), {
    tlsOptions: { ca: emulator.caCertPem },
  });
  const response = await client
    .path('/text/blocklists/{blocklistName}:addOrUpdateBlocklistItems', blocklist)
    .post({ body: { blocklistItems: terms.map((text) => ({ text })) } });
  if (isUnexpected(response)) throw new Error(`adding blocklist terms failed: ${response.status}`);
}

/** text:analyze calls the emulator has answered (all outcomes). */
export function analyzeCalls(emulator: RunningContentSafetyEmulator): number {
  return emulator.control.requestCounts()['text.analyze'] ?? 0;
}
