import { imageSize } from 'image-size';

/**
 * What a file's first bytes say it is, against what its uploader declared: a `.png` that holds HTML, or a "PDF" that
 * is a script, is refused before any message carries it. Detection is file-type's (magic numbers); plain text is
 * what has no binary signature, no NUL byte and is valid UTF-8.
 */

/** file-type reads at most this much of a file. */
export const SNIFF_BYTES = 4100;

export interface ContentFacts {
  width?: number;
  height?: number;
}

/** Declared types whose files are ZIP containers (OOXML) or OLE compound files (Office 97-2003). */
const CONTAINER_TYPES: Record<string, readonly string[]> = {
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['application/zip'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['application/zip'],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['application/zip'],
  'application/msword': ['application/x-cfb'],
  'application/vnd.ms-excel': ['application/x-cfb'],
  'application/vnd.ms-powerpoint': ['application/x-cfb'],
};

/** Undefined when the content is not of `declaredType`; otherwise what was cheap to learn (an image's size). */
export async function checkContent(head: Uint8Array, declaredType: string): Promise<ContentFacts | undefined> {
  // file-type is published as ES modules only; the bundle inlines it, and Node 20 loads it through import().
  const { fileTypeFromBuffer } = await import('file-type');
  const detected = (await fileTypeFromBuffer(head))?.mime;
  if (declaredType === 'text/plain') return detected === undefined && isText(head) ? {} : undefined;
  const accepted =
    detected === declaredType || (detected !== undefined && CONTAINER_TYPES[declaredType]?.includes(detected));
  if (!accepted) return undefined;
  return declaredType.startsWith('image/') ? dimensions(head) : {};
}

function isText(head: Uint8Array): boolean {
  if (head.includes(0)) return false;
  // The head may end inside a multi-byte character: drop up to 3 trailing bytes of an unfinished sequence.
  for (let cut = 0; cut <= 3 && cut < head.length; cut += 1) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut));
      return true;
    } catch {
      if (head.length < SNIFF_BYTES) return false;
    }
  }
  return false;
}

/** Width and height when the header within the first bytes gives them (a JPEG's may lie further in: then none). */
function dimensions(head: Uint8Array): ContentFacts {
  try {
    const { width, height } = imageSize(head);
    return width && height ? { width, height } : {};
  } catch {
    return {};
  }
}
