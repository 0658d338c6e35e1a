import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';

import { loadConfig } from '../../src/config';
import { ServiceUnavailableError, ThrottledError } from '../../src/errors';
import { activityOf } from '../../src/pruning/activity-check';
import { SharedBackoff } from '../../src/pruning/backoff';
import { SummaryTally } from '../../src/pruning/summary';
import { slowDownFor } from '../../src/pruning/throttling';
import { forEachBounded } from '../../src/pruning/work-pool';

async function* numbers(count: number, pulled: number[]): AsyncIterable<number> {
  for (let i = 0; i < count; i += 1) {
    pulled.push(i);
    yield i;
  }
}

describe('forEachBounded', () => {
  it('never has more than `concurrency` items in flight and processes every item', async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    const result = await forEachBounded(numbers(20, []), { concurrency: 4, shouldStop: () => false }, async (item) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1 + (item % 3)));
      inFlight -= 1;
      done.push(item);
    });
    expect(result).toEqual({ stopped: false });
    expect(most).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('pulls no new item once asked to stop, and finishes the ones started', async () => {
    const pulled: number[] = [];
    const done: number[] = [];
    const result = await forEachBounded(
      numbers(100, pulled),
      { concurrency: 3, shouldStop: () => done.length >= 5 },
      async (item) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        done.push(item);
      },
    );
    expect(result).toEqual({ stopped: true });
    expect(done.length).toBe(pulled.length); // nothing pulled was dropped
    expect(pulled.length).toBeLessThanOrEqual(5 + 3);
  });

  it('passes on a failure of the iterable once the items already started have finished', async () => {
    async function* failing(): AsyncIterable<number> {
      yield 1;
      throw new Error('storage down');
    }
    const done: number[] = [];
    const slow = async (item: number) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      done.push(item);
    };
    await expect(forEachBounded(failing(), { concurrency: 2, shouldStop: () => false }, slow)).rejects.toThrow(
      'storage down',
    );
    expect(done).toEqual([1]);
  });
});

describe('SharedBackoff', () => {
  it('makes every caller wait out a pause, and refuses a pause that outlasts the deadline', async () => {
    let now = 1_000;
    const waits: number[] = [];
    const backoff = new SharedBackoff(
      5_000,
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
    );
    expect(await backoff.ready()).toBe(true);
    backoff.pause(1_500);
    backoff.pause(500); // a shorter pause never shortens a longer one
    expect(await backoff.ready()).toBe(true);
    expect(waits).toEqual([1_500]);
    expect(now).toBe(2_500);
    backoff.pause(3_000); // would end at 5 500, after the deadline
    expect(backoff.exhausted()).toBe(true);
    expect(await backoff.ready()).toBe(false);
    expect(waits).toEqual([1_500]); // and does not wait for nothing
  });

  it('is exhausted at the deadline', async () => {
    let now = 0;
    const backoff = new SharedBackoff(100, () => now);
    expect(backoff.exhausted()).toBe(false);
    now = 100;
    expect(backoff.exhausted()).toBe(true);
    expect(await backoff.ready()).toBe(false);
  });
});

describe('activityOf', () => {
  const cutoff = new Date('2025-01-10T00:00:00Z');

  it('calls a thread with no message since the cut-off idle', () => {
    expect(activityOf([], cutoff)).toEqual({ state: 'idle' });
  });

  it('takes the latest of created, edited and deleted, and never a time before the cut-off', () => {
    const createdOn = new Date('2025-01-01T00:00:00Z');
    expect(activityOf([{ createdOn, editedOn: new Date('2025-01-11T00:00:00Z') }], cutoff)).toEqual({
      state: 'active',
      lastActivityOn: new Date('2025-01-11T00:00:00Z'),
    });
    expect(activityOf([{ createdOn, deletedOn: new Date('2025-01-12T00:00:00Z') }], cutoff)).toEqual({
      state: 'active',
      lastActivityOn: new Date('2025-01-12T00:00:00Z'),
    });
    // ACS listed it as at or after the cut-off even though its times say otherwise: keep, re-index at the cut-off.
    expect(activityOf([{ createdOn }], cutoff)).toEqual({ state: 'active', lastActivityOn: cutoff });
  });
});

describe('slowDownFor', () => {
  const restError = (statusCode: number, headers: Record<string, string> = {}) =>
    new RestError('upstream', {
      statusCode,
      response: {
        status: statusCode,
        headers: createHttpHeaders(headers),
        request: createPipelineRequest({ url: 'https://acs.example.com/' }),
      },
    });

  it('retries 429 after its Retry-After, raw or mapped', () => {
    expect(slowDownFor(restError(429, { 'retry-after': '7' }))).toEqual({ retry: true, pauseMs: 7_000 });
    expect(slowDownFor(restError(429))).toEqual({ retry: true, pauseMs: 1_000 });
    expect(slowDownFor(new ThrottledError('slow down', 3))).toEqual({ retry: true, pauseMs: 3_000 });
  });

  it('pauses for a raw 503 with Retry-After without retrying, and ignores everything else', () => {
    expect(slowDownFor(restError(503, { 'retry-after': '2' }))).toEqual({ retry: false, pauseMs: 2_000 });
    expect(slowDownFor(restError(503))).toBeUndefined();
    expect(slowDownFor(new ServiceUnavailableError('down', 5))).toBeUndefined();
    expect(slowDownFor(restError(500))).toBeUndefined();
    expect(slowDownFor(new Error('boom'))).toBeUndefined();
  });
});

describe('SummaryTally', () => {
  it('reports an incomplete run when entries were deferred', () => {
    const tally = new SummaryTally();
    tally.candidates = 3;
    tally.add('deleted');
    tally.add('keptAlive');
    tally.add('deferred');
    expect(tally.summary(12.4, true)).toEqual({
      candidates: 3,
      deleted: 1,
      keptAlive: 1,
      cleaned: 0,
      failed: 0,
      deferred: 1,
      durationMs: 12,
      complete: false,
    });
  });
});

describe('THREAD_MAX_AGE_DAYS', () => {
  const base = {
    ACS_CONNECTION_STRING: 'endpoint=https://127.0.0.1:1/;accesskey=a2V5',
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    AUTH_ISSUER: 'https://issuer.example.com',
    AUTH_AUDIENCE: 'api://chat',
  };

  it('accepts the whole days ACS accepts (30..90) and nothing else', () => {
    expect(loadConfig({ ...base, THREAD_MAX_AGE_DAYS: '30' }).pruning.maxThreadAgeDays).toBe(30);
    expect(loadConfig({ ...base, THREAD_MAX_AGE_DAYS: '90' }).pruning.maxThreadAgeDays).toBe(90);
    for (const value of ['29', '91', '45.5', 'x'])
      expect(() => loadConfig({ ...base, THREAD_MAX_AGE_DAYS: value })).toThrow(/THREAD_MAX_AGE_DAYS/);
    expect(loadConfig({ ...base, THREAD_MAX_AGE_DAYS: '' }).pruning.maxThreadAgeDays).toBeUndefined();
  });
});
