import { CommunicationIdentityClient, type CommunicationIdentityClientOptions } from '@azure/communication-identity';
import type { TokenCredential } from '@azure/core-auth';

import type { AcsConfig } from '../config';

/** The ACS resource endpoint, e.g. https://<resource>.communication.azure.com/ */
export function acsEndpoint(acs: AcsConfig): string {
  if (acs.kind === 'managedIdentity') return acs.endpoint;
  const match = /endpoint=([^;]+)/i.exec(acs.connectionString);
  return match?.[1] ?? '';
}

/** Identity API client: HMAC with a connection string locally, Entra ID (managed identity) in Azure. */
export function createIdentityClient(
  acs: AcsConfig,
  credential: () => TokenCredential,
  options: CommunicationIdentityClientOptions = {},
): CommunicationIdentityClient {
  return acs.kind === 'connectionString'
    ? new CommunicationIdentityClient(acs.connectionString, options)
    : new CommunicationIdentityClient(acs.endpoint, credential(), options);
}
