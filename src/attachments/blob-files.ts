import type { TokenCredential } from '@azure/core-auth';
import type { CommonClientOptions } from '@azure/core-client';
import {
  BlobSASPermissions,
  BlobServiceClient,
  type ContainerClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  type StoragePipelineOptions,
  type UserDelegationKey,
} from '@azure/storage-blob';

import { isStatus } from '../storage/errors';

/**
 * The attachments container, reached keylessly: the app's own calls carry an Entra ID token, and every link it hands
 * out is a user delegation SAS (signed with a key Blob Storage issues to that identity, never the account key), for
 * one blob, with the fewest permissions and a short life.
 */

/** Storage-blob hands `tlsOptions` through to the core pipeline (the dev stack's CA for Azurite). */
export type BlobClientOptions = StoragePipelineOptions & Pick<CommonClientOptions, 'tlsOptions'>;

/** A link for one blob, and when Blob Storage stops taking it. */
export interface BlobLink {
  url: string;
  expiresOn: Date;
}

export interface ReadLinkOptions {
  contentType: string;
  /** `inline`, or `attachment; filename*=…`: sent by Blob Storage as Content-Disposition. */
  contentDisposition: string;
}

/**
 * The service version links are signed for: one every Blob Storage (Azure's, and Azurite's up to 3.35, the last to
 * run on Node 20) validates, rather than the newest the SDK knows. Nothing a link allows depends on a newer version.
 */
const SAS_VERSION = '2025-11-05';

/** The blob index tag infra's lifecycle rule filters on (infra/core/storage/storage-account.bicep). */
export const CLAIMED_TAG = 'claimed';

/** How long a user delegation key is asked for, and how much of it must be left to sign with it. */
const KEY_LIFETIME_MS = 2 * 60 * 60_000;
const KEY_MIN_LEFT_MS = 30 * 60_000;
/** Links start a little in the past: the client's or Storage's clock may be behind ours. */
const CLOCK_SKEW_MS = 5 * 60_000;

export class BlobFiles {
  private readonly service: BlobServiceClient;
  private readonly container: ContainerClient;
  private key: { value: Promise<UserDelegationKey>; expiresOn: number } | undefined;

  /**
   * `now` is the real clock, not the backend's (tests run that on the emulator's): link times are judged by Blob
   * Storage's clock.
   */
  constructor(
    endpoint: string,
    containerName: string,
    credential: TokenCredential,
    options: BlobClientOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.service = new BlobServiceClient(endpoint, credential, options);
    this.container = this.service.getContainerClient(containerName);
  }

  /**
   * Create and write one blob, and set its index tags (the upload marks itself `claimed=false` for the lifecycle
   * rule), until `expiresOn`; not read, list, delete or anything else, and no other blob.
   */
  async uploadLink(blobName: string, validForMs: number): Promise<BlobLink> {
    return this.link(blobName, BlobSASPermissions.from({ create: true, write: true, tag: true }), validForMs);
  }

  /** Takes the blob out of the lifecycle rule's reach (infra deletes `claimed=false` blobs after a day). */
  async markClaimed(blobName: string): Promise<void> {
    await this.container.getBlobClient(blobName).setTags({ [CLAIMED_TAG]: 'true' });
  }

  /** Read one blob for `validForMs`, served with the given type and disposition whatever the blob says. */
  async readLink(blobName: string, validForMs: number, headers: ReadLinkOptions): Promise<BlobLink> {
    return this.link(blobName, BlobSASPermissions.from({ read: true }), validForMs, headers);
  }

  /** The blob's size, or undefined when there is none. */
  async size(blobName: string): Promise<number | undefined> {
    try {
      const properties = await this.container.getBlobClient(blobName).getProperties();
      return properties.contentLength ?? 0;
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** The first `bytes` of a blob of `size` bytes (all of it when smaller). */
  async head(blobName: string, bytes: number, size: number): Promise<Buffer> {
    if (size === 0) return Buffer.alloc(0);
    return this.container.getBlobClient(blobName).downloadToBuffer(0, Math.min(bytes, size));
  }

  async delete(blobName: string): Promise<void> {
    await this.container.getBlobClient(blobName).deleteIfExists();
  }

  /** Names of the blobs under `prefix`, a page at a time. */
  async *names(prefix: string, pageSize = 100): AsyncIterable<string> {
    for await (const page of this.container.listBlobsFlat({ prefix }).byPage({ maxPageSize: pageSize }))
      for (const blob of page.segment.blobItems) yield blob.name;
  }

  /** The container exists and the app may use it (health). */
  async probe(): Promise<void> {
    await this.container.getProperties();
  }

  private async link(
    blobName: string,
    permissions: BlobSASPermissions,
    validForMs: number,
    headers?: ReadLinkOptions,
  ): Promise<BlobLink> {
    const expiresOn = new Date(this.now() + validForMs);
    const key = await this.userDelegationKey(expiresOn);
    const sas = generateBlobSASQueryParameters(
      {
        containerName: this.container.containerName,
        blobName,
        permissions,
        startsOn: new Date(this.now() - CLOCK_SKEW_MS),
        expiresOn,
        protocol: SASProtocol.Https,
        version: SAS_VERSION,
        ...(headers ? { contentType: headers.contentType, contentDisposition: headers.contentDisposition } : {}),
      },
      key,
      this.service.accountName,
    );
    return { url: `${this.container.getBlobClient(blobName).url}?${sas.toString()}`, expiresOn };
  }

  /** One key per instance, asked for again when less than half an hour of it is left (one Storage call per 1.5 h). */
  private async userDelegationKey(signUntil: Date): Promise<UserDelegationKey> {
    const now = this.now();
    if (!this.key || this.key.expiresOn - Math.max(now, 0) < KEY_MIN_LEFT_MS || this.key.expiresOn < +signUntil) {
      const expiresOn = now + KEY_LIFETIME_MS;
      const value = this.service.getUserDelegationKey(new Date(now - CLOCK_SKEW_MS), new Date(expiresOn));
      this.key = { value, expiresOn };
      value.catch(() => {
        if (this.key?.value === value) this.key = undefined;
      });
    }
    return this.key.value;
  }
}
