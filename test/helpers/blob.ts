import { readFileSync } from 'node:fs';
import https from 'node:https';

import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';

import type { BlobClientOptions } from '../../src/attachments/blob-files';
import type { TestStack } from './stack';

/** A request to Blob Storage itself (Azurite over HTTPS, trusting the dev CA), as a browser or app would send it. */
export function blobRequest(
  stack: TestStack,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const ca = readFileSync(stack.info.blob!.caCertPath, 'utf8');
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        method: init.method ?? 'GET',
        ca,
        headers: { ...init.headers, ...(init.body ? { 'content-length': String(init.body.length) } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });
}

/** The stack's attachments container through Azurite's shared key: to look behind the app's back in tests. */
export function attachmentsContainer(stack: TestStack): ContainerClient {
  const blob = stack.info.blob!;
  const options: BlobClientOptions = { tlsOptions: { ca: readFileSync(blob.caCertPath, 'utf8') } };
  return BlobServiceClient.fromConnectionString(blob.connectionString, options).getContainerClient(blob.container);
}

export async function blobNames(stack: TestStack): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of attachmentsContainer(stack).listBlobsFlat()) names.push(blob.name);
  return names;
}
