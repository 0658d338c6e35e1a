import { describeError, redact } from '../../src/logging';

describe('log redaction', () => {
  it.each([
    ['a JWT', 'token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl here', 'eyJhbGciOiJSUzI1NiJ9'],
    ['an ACS access key', 'endpoint=https://x/;accesskey=c2VjcmV0LWtleQ==', 'c2VjcmV0LWtleQ=='],
    ['a storage account key', 'AccountName=a;AccountKey=Zm9vYmFy;EndpointSuffix=x', 'Zm9vYmFy'],
    ['a SAS signature', 'https://a.blob.core.windows.net/c?sv=1&sig=abc%2Bdef', 'abc%2Bdef'],
    ['a bearer header', 'Authorization: Bearer opaque-token-value', 'opaque-token-value'],
    ['an HMAC header', 'HMAC-SHA256 SignedHeaders=x&Signature=abc', 'SignedHeaders=x&Signature=abc'],
  ])('removes %s', (_label, text, secret) => {
    expect(redact(text)).not.toContain(secret);
  });

  it('keeps ordinary text and describes errors safely', () => {
    expect(redact('thread 19:abc@thread.v2 not found')).toBe('thread 19:abc@thread.v2 not found');
    const error = Object.assign(new Error('failed with accesskey=abc123'), {
      statusCode: 503,
      code: 'ServiceUnavailable',
    });
    expect(describeError(error)).toEqual({
      name: 'Error',
      message: 'failed with accesskey=[redacted]',
      statusCode: 503,
      code: 'ServiceUnavailable',
    });
  });
});
