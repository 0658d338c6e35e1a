import { createHmac } from 'node:crypto';

import { SendMessageError } from '@azure/web-pubsub-client';

import { waitFor } from '../../helpers/wait';
import { delay, HUB, rawConnect, useWebPubSubEmulator } from './webpubsub-helpers';

const env = useWebPubSubEmulator();

function hs256(claims: Record<string, unknown>, key: string): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

describe('Web PubSub emulator: client endpoint', () => {
  test('the connected system message carries the userId and a connectionId; reliable adds a reconnectionToken', async () => {
    const { service } = env();
    const { url } = await service.getClientAccessToken({ userId: 'alice' });
    const plain = await rawConnect(url);
    const reliable = await rawConnect(url, 'json.reliable.webpubsub.azure.v1');
    if (!('socket' in plain) || !('socket' in reliable)) throw new Error('refused');
    await waitFor(() => plain.frames.length === 1 && reliable.frames.length === 1);
    expect(plain.frames[0]).toEqual({
      type: 'system',
      event: 'connected',
      userId: 'alice',
      connectionId: expect.any(String),
    });
    expect(reliable.frames[0]).toMatchObject({ event: 'connected', reconnectionToken: expect.any(String) });
    await service.sendToUser('alice', 'hi', { contentType: 'text/plain' });
    await waitFor(() => plain.frames.length === 2 && reliable.frames.length === 2);
    expect(plain.frames[1]).toEqual({ type: 'message', from: 'server', dataType: 'text', data: 'hi' });
    expect(reliable.frames[1]).toEqual({
      type: 'message',
      from: 'server',
      dataType: 'text',
      data: 'hi',
      sequenceId: 1,
    });
    plain.socket.close();
    reliable.socket.close();
  });

  test('a token without roles gets a Forbidden ack for joinGroup and sendToGroup', async () => {
    const { connect } = env();
    // No retries: the SDK retries a failed send 3 times, 1 s apart, before it reports the ack's error.
    const bob = await connect('bob', { client: { messageRetryOptions: { maxRetries: 0 } } });
    await expect(bob.client.joinGroup('thread-1')).rejects.toBeInstanceOf(SendMessageError);
    await expect(bob.client.joinGroup('thread-1')).rejects.toMatchObject({ errorDetail: { name: 'Forbidden' } });
    await expect(bob.client.sendToGroup('thread-1', { x: 1 }, 'json')).rejects.toMatchObject({
      errorDetail: { name: 'Forbidden' },
    });
  });

  test('roles allow joining and publishing, per group when the role names one', async () => {
    const { connect } = env();
    const alice = await connect('alice', {
      roles: ['webpubsub.joinLeaveGroup.room', 'webpubsub.sendToGroup'],
      client: { messageRetryOptions: { maxRetries: 0 } },
    });
    const bob = await connect('bob', { groups: ['room'] });
    await alice.client.joinGroup('room');
    await expect(alice.client.joinGroup('other')).rejects.toMatchObject({ errorDetail: { name: 'Forbidden' } });
    await alice.client.sendToGroup('room', { text: 'hello' }, 'json');
    await waitFor(() => bob.received.length === 1 && alice.received.length === 1);
    expect(bob.received[0]).toEqual({ from: 'group', group: 'room', data: { text: 'hello' } });
    await alice.client.sendToGroup('room', 'quiet', 'text', { noEcho: true });
    await waitFor(() => bob.received.length === 2);
    await delay(100);
    expect(alice.received).toHaveLength(1);
  });

  test('expired, forged, other-hub and other-audience tokens are refused at connect with 401', async () => {
    const { emu } = env();
    const audience = `${emu.endpoint}client/hubs/${HUB}`;
    const now = Math.floor(Date.now() / 1000);
    const at = (token: string, hub = HUB): string =>
      `ws://127.0.0.1:${emu.port}/client/hubs/${hub}?access_token=${token}`;
    const refused = async (url: string): Promise<unknown> => {
      const result = await rawConnect(url);
      if ('socket' in result) result.socket.close();
      return result;
    };
    expect(await refused(at(hs256({ aud: audience, sub: 'x', exp: now - 60 }, emu.accessKey)))).toEqual({
      refusedWith: 401,
    });
    expect(await refused(at(hs256({ aud: audience, sub: 'x', exp: now + 60 }, 'forged-key')))).toEqual({
      refusedWith: 401,
    });
    expect(await refused(at(hs256({ aud: audience, sub: 'x', exp: now + 60 }, emu.accessKey), 'other'))).toEqual({
      refusedWith: 401,
    });
    expect(
      await refused(at(hs256({ aud: 'http://elsewhere/client/hubs/chat', sub: 'x', exp: now + 60 }, emu.accessKey))),
    ).toEqual({ refusedWith: 401 });
    const accepted = await rawConnect(at(hs256({ aud: audience, sub: 'x', exp: now + 60 }, emu.accessKey)));
    expect('socket' in accepted).toBe(true);
    if ('socket' in accepted) accepted.socket.close();
  });

  test('the /client?hub= form of the endpoint works too', async () => {
    const { emu, service } = env();
    const { token } = await service.getClientAccessToken({ userId: 'frank' });
    const result = await rawConnect(`ws://127.0.0.1:${emu.port}/client/?hub=${HUB}&access_token=${token}`);
    expect('socket' in result).toBe(true);
    if ('socket' in result) result.socket.close();
  });
});

describe('Web PubSub emulator: reliable recovery and the control API', () => {
  test('a dropped reliable client recovers its connection and gets every message sent meanwhile once, in order', async () => {
    const { emu, service, connect } = env();
    const alice = await connect('alice');
    emu.control.resetCounts();
    expect(emu.control.dropConnection(alice.connectionId)).toBe(true);
    for (let n = 1; n <= 5; n++) await service.sendToUser('alice', { n });
    await waitFor(() => alice.received.length === 5, 10_000);
    expect(alice.received.map((m) => (m.data as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);
    expect(emu.control.listConnections(HUB)).toEqual([
      expect.objectContaining({ connectionId: alice.connectionId, userId: 'alice', connected: true }),
    ]);
    expect(emu.control.restCallCounts()).toEqual({ sendToUser: 5 });
    expect(emu.control.messagesDelivered()).toBe(5);
  });

  test('a 5 s network outage: 20 messages sent meanwhile each reach both tabs once, in order', async () => {
    const { emu, service, connect } = env();
    const tabs = [await connect('mia'), await connect('mia')];
    const ids = tabs.map((tab) => tab.connectionId);
    expect(emu.control.dropAllConnections({ forMs: 5_000 })).toBeGreaterThanOrEqual(2);
    for (let n = 1; n <= 20; n++) await service.sendToUser('mia', { n });
    await delay(1_000);
    expect(tabs.map((tab) => tab.received.length)).toEqual([0, 0]);
    await waitFor(() => tabs.every((tab) => tab.received.length >= 20), 15_000);
    await delay(200);
    const expected = Array.from({ length: 20 }, (_, i) => i + 1);
    for (const tab of tabs) expect(tab.received.map((m) => (m.data as { n: number }).n)).toEqual(expected);
    const connected = emu.control.listConnections(HUB).filter((c) => c.userId === 'mia' && c.connected);
    expect(connected.map((c) => c.connectionId).sort()).toEqual([...ids].sort());
  }, 25_000);

  test('recovery with a wrong reconnection token is refused with close code 1008', async () => {
    const { emu, service } = env();
    const { url } = await service.getClientAccessToken({ userId: 'gina' });
    const first = await rawConnect(url, 'json.reliable.webpubsub.azure.v1');
    if (!('socket' in first)) throw new Error('refused');
    await waitFor(() => first.frames.length === 1);
    const connectionId = String(first.frames[0]?.['connectionId']);
    emu.control.dropConnection(connectionId);
    const retry = await rawConnect(
      `${url}&awps_connection_id=${connectionId}&awps_reconnection_token=wrong`,
      'json.reliable.webpubsub.azure.v1',
    );
    if (!('socket' in retry)) throw new Error('refused');
    const code = await new Promise<number>((resolve) => retry.socket.on('close', (closeCode) => resolve(closeCode)));
    expect(code).toBe(1008);
  });

  test('delivery delay holds messages back without reordering them', async () => {
    const { emu, service, connect } = env();
    const hana = await connect('hana');
    emu.control.setDeliveryDelay(300);
    try {
      const sentAt = Date.now();
      await service.sendToUser('hana', { n: 1 });
      await service.sendToUser('hana', { n: 2 });
      await waitFor(() => hana.received.length === 2);
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(280);
      expect(hana.received.map((m) => (m.data as { n: number }).n)).toEqual([1, 2]);
    } finally {
      emu.control.setDeliveryDelay(0);
    }
  });
});
