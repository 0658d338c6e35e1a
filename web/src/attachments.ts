import { type ChatClient, type Schemas, unwrap } from '../../client';
import { h } from './dom';

export type Attachment = Schemas['Attachment'];

/**
 * Files for the message being written: each is uploaded straight to Blob Storage as soon as it is picked (the backend
 * hands out a link for one blob; no byte goes through it), with a progress bar; the message then names them.
 */
interface Pending {
  file: File;
  element: HTMLElement;
  /** Resolves with the attachment id once uploaded; rejects with what went wrong. */
  uploaded: Promise<string>;
  xhr?: XMLHttpRequest;
}

export class PendingUploads {
  readonly element = h('ul', { class: 'uploads', 'aria-label': 'Files to send' });
  private readonly pending: Pending[] = [];

  constructor(
    private readonly client: ChatClient,
    private readonly threadId: string,
  ) {}

  get count(): number {
    return this.pending.length;
  }

  add(files: Iterable<File>): void {
    for (const file of files) {
      const progress = h('progress', { max: '100', value: '0', 'aria-label': `Uploading ${file.name}` });
      const status = h('span', { class: 'upload-status' }, 'Uploading…');
      const element = h(
        'li',
        { class: 'upload' },
        h('span', {}, `${file.name} (${formatSize(file.size)})`),
        progress,
        status,
      );
      const entry: Pending = { file, element, uploaded: Promise.resolve('') };
      const remove = h(
        'button',
        { type: 'button', 'aria-label': `Remove ${file.name}`, onclick: () => this.remove(entry) },
        '×',
      );
      element.append(remove);
      entry.uploaded = this.upload(entry, (percent) => (progress.value = percent));
      entry.uploaded.then(
        () => {
          status.textContent = 'Uploaded';
          element.dataset.state = 'uploaded';
        },
        (error: unknown) => {
          status.textContent = error instanceof Error ? error.message : String(error);
          element.dataset.state = 'failed';
          element.classList.add('error');
        },
      );
      this.pending.push(entry);
      this.element.append(element);
    }
  }

  /** The ids of every upload, once all are done (throws the first failure: the user removes or retries it). */
  async ids(): Promise<string[]> {
    return Promise.all(this.pending.map((entry) => entry.uploaded));
  }

  names(): string[] {
    return this.pending.map((entry) => entry.file.name);
  }

  clear(): void {
    for (const entry of [...this.pending]) this.remove(entry);
  }

  private remove(entry: Pending): void {
    entry.xhr?.abort();
    entry.uploaded.catch(() => undefined);
    this.pending.splice(this.pending.indexOf(entry), 1);
    entry.element.remove();
  }

  private async upload(entry: Pending, onProgress: (percent: number) => void): Promise<string> {
    const { file } = entry;
    const link = unwrap(
      await this.client.api.POST('/threads/{threadId}/attachments', {
        params: { path: { threadId: this.threadId } },
        body: { name: file.name, contentType: file.type || 'application/octet-stream', size: file.size },
      }),
    );
    // XMLHttpRequest, not fetch: only it reports upload progress.
    await new Promise<void>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      entry.xhr = xhr;
      xhr.open('PUT', link.uploadUrl);
      for (const [name, value] of Object.entries(link.uploadHeaders)) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
      };
      xhr.onload = () =>
        xhr.status >= 200 && xhr.status < 300
          ? resolve()
          : reject(new Error(`Upload refused by storage (${xhr.status})`));
      xhr.onerror = () => reject(new Error('Upload failed: storage could not be reached'));
      xhr.onabort = () => reject(new Error('Upload cancelled'));
      xhr.send(file);
    });
    onProgress(100);
    return link.attachmentId;
  }
}

/** Read links for a thread's files, asked for once and reused while they last (they are valid for 5 minutes). */
export class AttachmentLinks {
  private readonly links = new Map<string, { url: Promise<string>; usableUntil: number }>();

  constructor(
    private readonly client: ChatClient,
    private readonly threadId: string,
  ) {}

  get(attachmentId: string): Promise<string> {
    const known = this.links.get(attachmentId);
    if (known && known.usableUntil > Date.now()) return known.url;
    const url = this.fetch(attachmentId);
    this.links.set(attachmentId, { url, usableUntil: Date.now() + LINK_REUSE_MS });
    url.catch(() => this.links.delete(attachmentId));
    return url;
  }

  /** As JSON: a page cannot read where a cross-origin redirect leads, nor send its token along it. */
  private async fetch(attachmentId: string): Promise<string> {
    const link = unwrap(
      await this.client.api.GET('/threads/{threadId}/attachments/{attachmentId}', {
        params: { path: { threadId: this.threadId, attachmentId } },
        headers: { accept: 'application/json' },
      }),
    );
    return link.url;
  }
}

/** Links live 5 minutes; reuse one for 4, so that it never runs out mid-download. */
const LINK_REUSE_MS = 4 * 60_000;

/** Thumbnails for images, chips for other files; each gets its link when shown or clicked. */
export function attachmentElements(links: AttachmentLinks, attachments: Attachment[]): HTMLElement {
  const list = h('div', { class: 'attachments' });
  for (const attachment of attachments) {
    if (attachment.contentType.startsWith('image/')) {
      const image = h('img', {
        class: 'thumbnail',
        alt: attachment.name,
        ...(attachment.width ? { width: String(Math.min(attachment.width, 240)) } : {}),
      });
      list.append(image);
      void links.get(attachment.id).then(
        (url) => (image.src = url),
        () => (image.alt = `${attachment.name} (unavailable)`),
      );
    } else {
      list.append(
        h(
          'button',
          {
            type: 'button',
            class: 'file-chip',
            onclick: () =>
              void links.get(attachment.id).then((url) => {
                const anchor = h('a', { href: url, download: attachment.name });
                document.body.append(anchor);
                anchor.click();
                anchor.remove();
              }),
          },
          `📄 ${attachment.name} (${formatSize(attachment.size)})`,
        ),
      );
    }
  }
  return list;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Files dropped on or pasted into `target` go to `add` (images pasted from the clipboard arrive as files too). */
export function acceptFiles(target: HTMLElement, add: (files: File[]) => void): void {
  target.addEventListener('dragover', (event) => {
    if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
  });
  target.addEventListener('drop', (event) => {
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    add(files);
  });
  target.addEventListener('paste', (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    add(files);
  });
}
