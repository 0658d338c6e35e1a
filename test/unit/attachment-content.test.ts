import { checkContent } from '../../src/attachments/content-check';
import { png } from '../helpers/files';

const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const html = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');

describe('checking a file against its declared type (first bytes)', () => {
  it('accepts a PNG as image/png and reads its size from the header', async () => {
    await expect(checkContent(png(3, 2), 'image/png')).resolves.toEqual({ width: 3, height: 2 });
  });

  it('refuses HTML named as an image, a PDF or anything binary, and a PNG declared as a PDF', async () => {
    await expect(checkContent(html, 'image/png')).resolves.toBeUndefined();
    await expect(checkContent(html, 'application/pdf')).resolves.toBeUndefined();
    await expect(checkContent(png(1, 1), 'application/pdf')).resolves.toBeUndefined();
    await expect(checkContent(pdf, 'image/jpeg')).resolves.toBeUndefined();
  });

  it('accepts a PDF, and plain text only when it is UTF-8 without NUL bytes or a binary signature', async () => {
    await expect(checkContent(pdf, 'application/pdf')).resolves.toEqual({});
    await expect(checkContent(Buffer.from('Grüße, 👋\nline two'), 'text/plain')).resolves.toEqual({});
    await expect(checkContent(Buffer.from([0x68, 0x00, 0x69]), 'text/plain')).resolves.toBeUndefined();
    await expect(checkContent(Buffer.from([0xff, 0xfe, 0xfd]), 'text/plain')).resolves.toBeUndefined();
    await expect(checkContent(pdf, 'text/plain')).resolves.toBeUndefined();
  });

  it('accepts a head of text cut inside a multi-byte character', async () => {
    const text = Buffer.from('€'.repeat(2000)).subarray(0, 4100); // 1,366 characters and 2 of the next one's 3 bytes
    await expect(checkContent(text, 'text/plain')).resolves.toEqual({});
  });

  it('takes a ZIP container for an OOXML document, but not for an image', async () => {
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(60)]);
    const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    const detected = await checkContent(zip, docx);
    expect(detected).toEqual({});
    await expect(checkContent(zip, 'image/png')).resolves.toBeUndefined();
  });
});
