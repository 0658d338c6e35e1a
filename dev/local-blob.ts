import { createSecretKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { BlobServiceClient } from '@azure/storage-blob';
import { SignJWT } from 'jose';

import { loadOrCreateTls } from '../emulator/acs/tls';
import type { BlobClientOptions } from '../src/attachments/blob-files';
import { type RunningAzuriteBlob, startAzuriteBlob } from './azurite';

/**
 * Blob Storage for attachments on the dev stack: Azurite's Blob service over HTTPS (its OAuth needs it), with a
 * certificate from the same local CA as the ACS emulator's, the CORS rule infra sets in Azure, and a credential whose
 * tokens Azurite accepts, so the backend takes the very code path it takes in Azure (Entra token → user delegation
 * key → user delegation SAS).
 */

export interface LocalBlob {
  /** `https://127.0.0.1:<port>/devstoreaccount1` */
  blobEndpoint: string;
  /** Shared key access to Azurite, for set-up and tests only (the app never uses it). */
  connectionString: string;
  caCertPem: string;
  caCertPath: string;
  credential: TokenCredential;
  close(): Promise<void>;
}

/** infra/core/storage/attachments-cors.json: the rule Bicep puts on the storage account, read here as is. */
interface CorsRule {
  allowedMethods: string[];
  allowedHeaders: string[];
  exposedHeaders: string[];
  maxAgeInSeconds: number;
}

export async function startLocalBlob(options: {
  /** Where data and the TLS material live (the emulator's, to share its CA); a temporary folder when omitted. */
  dataDir?: string;
  tlsDir?: string;
  port?: number;
}): Promise<LocalBlob> {
  const ownTls = options.tlsDir === undefined;
  const tlsDir = options.tlsDir ?? mkdtempSync(path.join(tmpdir(), 'azurite-blob-tls-'));
  const tls = loadOrCreateTls(tlsDir);
  let azurite: RunningAzuriteBlob;
  try {
    azurite = await startAzuriteBlob({
      port: options.port ?? 0,
      ...(options.dataDir ? { location: options.dataDir } : {}),
      // loadOrCreateTls keeps the server certificate and key beside its CA under these names.
      tls: { certPath: path.join(tlsDir, 'server.pem'), keyPath: path.join(tlsDir, 'server-key.pem') },
    });
  } catch (error) {
    if (ownTls) rmSync(tlsDir, { recursive: true, force: true });
    throw error;
  }
  return {
    blobEndpoint: azurite.blobEndpoint,
    connectionString: azurite.connectionString,
    caCertPem: tls.caCertPem,
    caCertPath: tls.caCertPath,
    credential: azuriteCredential(),
    close: async () => {
      await azurite.close();
      if (ownTls) rmSync(tlsDir, { recursive: true, force: true });
    },
  };
}

/** A Blob service another process started (jest's global set-up), from what it wrote into the environment. */
export function connectLocalBlob(running: {
  blobEndpoint: string;
  connectionString: string;
  caCertPath: string;
}): LocalBlob {
  return {
    ...running,
    caCertPem: readFileSync(running.caCertPath, 'utf8'),
    credential: azuriteCredential(),
    close: async () => undefined,
  };
}

/** Creates the attachments container (private) and sets the storage CORS rule infra sets, for `origins`. */
export async function prepareAttachmentsStorage(blob: LocalBlob, container: string, origins: string[]): Promise<void> {
  // One-off set-up calls: no idle keep-alive socket is left to hold a test process open.
  const options: BlobClientOptions = { tlsOptions: { ca: blob.caCertPem }, keepAliveOptions: { enable: false } };
  const admin = BlobServiceClient.fromConnectionString(blob.connectionString, options);
  await admin.getContainerClient(container).createIfNotExists();
  if (origins.length === 0) return;
  const rule = JSON.parse(
    readFileSync(path.resolve(__dirname, '../infra/core/storage/attachments-cors.json'), 'utf8'),
  ) as CorsRule;
  await admin.setProperties({
    cors: [
      {
        allowedOrigins: origins.join(','),
        allowedMethods: rule.allowedMethods.join(','),
        allowedHeaders: rule.allowedHeaders.join(','),
        exposedHeaders: rule.exposedHeaders.join(','),
        maxAgeInSeconds: rule.maxAgeInSeconds,
      },
    ],
  });
}

/**
 * Tokens Azurite's basic OAuth accepts: it checks issuer (an Entra ID one), audience (Storage) and lifetime, not the
 * signature. The object and tenant ids end up in the user delegation keys it issues, as Entra's would.
 */
function azuriteCredential(): TokenCredential {
  // A KeyObject, not bytes: jose's Uint8Array check fails across realms (jest's module sandbox).
  const key = createSecretKey(Buffer.from('azurite-does-not-check-signatures'));
  const tenantId = '00000000-0000-0000-0000-00000000dev0';
  return {
    getToken: async (): Promise<AccessToken> => {
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ oid: '00000000-0000-0000-0000-000000000a99', tid: tenantId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(`https://sts.windows.net/${tenantId}/`)
        .setAudience('https://storage.azure.com')
        .setIssuedAt(now)
        .setNotBefore(now - 60)
        .setExpirationTime(now + 3600)
        .sign(key);
      return { token, expiresOnTimestamp: (now + 3600) * 1000 };
    },
  };
}
