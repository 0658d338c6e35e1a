import { createHmac } from 'node:crypto';

import { WebPubSubServiceClient } from '@azure/web-pubsub';

import { waitFor } from '../../helpers/wait';
import { delay, HUB, useWebPubSubEmulator } from './webpubsub-helpers';

const env = useWebPubSubEmulator();

function hs256(claims: Record<string, unknown>, key: string): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

describe('Web PubSub emulator: REST API through @azure/web-pubsub', () => {
  test('sendToUser reaches every connection of that user and nobody else', async () => {
    const { service, connect } = env();
    const aliceTab1 = await connect('alice');
    const aliceTab2 = await connect('alice');
    const bob = await connect('bob');
    await service.sendToUser('alice', { hello: 'alice' });
    await waitFor(() => aliceTab1.received.length === 1 && aliceTab2.received.length === 1);
    await delay(100);
    expect(aliceTab1.received).toEqual([{ from: 'server', data: { hello: 'alice' } }]);
    expect(aliceTab2.received).toEqual([{ from: 'server', data: { hello: 'alice' } }]);
    expect(bob.received).toEqual([]);
  });

  test('sendToAll, sendToConnection and text payloads', async () => {
    const { service, connect } = env();
    const alice = await connect('alice');
    const bob = await connect('bob');
    await service.sendToAll('to everyone', { contentType: 'text/plain' });
    await service.sendToConnection(bob.connectionId, { only: 'bob' });
    await waitFor(() => alice.received.length === 1 && bob.received.length === 2);
    await delay(100);
    expect(alice.received).toEqual([{ from: 'server', data: 'to everyone' }]);
    expect(bob.received).toEqual([
      { from: 'server', data: 'to everyone' },
      { from: 'server', data: { only: 'bob' } },
    ]);
  });

  test('users and connections join and leave groups; group messages reach members only', async () => {
    const { service, connect } = env();
    const alice = await connect('alice');
    const bob = await connect('bob');
    const carol = await connect('carol');
    const thread = service.group('thread-1');
    await thread.addUser('alice');
    await thread.addConnection(bob.connectionId);
    expect(await service.groupExists('thread-1')).toBe(true);
    expect(await service.groupExists('thread-2')).toBe(false);
    await thread.sendToAll({ n: 1 });
    await waitFor(() => alice.received.length === 1 && bob.received.length === 1);
    expect(alice.received[0]).toEqual({ from: 'group', group: 'thread-1', data: { n: 1 } });

    await thread.removeConnection(bob.connectionId);
    await thread.sendToAll({ n: 2 });
    await waitFor(() => alice.received.length === 2);

    // A user's group membership also applies to the connections the user opens later.
    const aliceLater = await connect('alice');
    await thread.sendToAll({ n: 3 });
    await waitFor(() => alice.received.length === 3 && aliceLater.received.length === 1);

    await service.removeUserFromAllGroups('alice');
    await thread.sendToAll({ n: 4 });
    await delay(150);
    expect(alice.received).toHaveLength(3);
    expect(bob.received).toHaveLength(1);
    expect(carol.received).toEqual([]);
    expect(await service.groupExists('thread-1')).toBe(false);
  });

  test('existence checks and closing connections', async () => {
    const { service, connect } = env();
    // Without auto-reconnect: a client stopped while it reconnects would go on reconnecting (SDK 1.1.0).
    const dave = await connect('dave', { client: { autoReconnect: false } });
    expect(await service.userExists('dave')).toBe(true);
    expect(await service.connectionExists(dave.connectionId)).toBe(true);
    expect(await service.userExists('nobody')).toBe(false);
    const stopped = new Promise<void>((resolve) => dave.client.on('stopped', () => resolve()));
    await service.closeConnection(dave.connectionId, { reason: 'bye' });
    await stopped;
    expect(await service.connectionExists(dave.connectionId)).toBe(false);
  });

  test('permissions, group listing, webpubsub.group claims and group/hub-wide closes', async () => {
    const { service, connect } = env();
    const kim = await connect('kim', { groups: ['lobby'], client: { autoReconnect: false } });
    const lee = await connect('lee', { client: { autoReconnect: false } });
    const members: { connectionId: string; userId?: string }[] = [];
    for await (const member of await service.group('lobby').listConnections()) members.push(member);
    expect(members).toEqual([{ connectionId: kim.connectionId, userId: 'kim' }]);

    expect(await service.hasPermission(lee.connectionId, 'joinLeaveGroup', { targetName: 'lobby' })).toBe(false);
    await service.grantPermission(lee.connectionId, 'joinLeaveGroup', { targetName: 'lobby' });
    expect(await service.hasPermission(lee.connectionId, 'joinLeaveGroup', { targetName: 'lobby' })).toBe(true);
    await lee.client.joinGroup('lobby');
    const afterJoin: string[] = [];
    for await (const member of await service.group('lobby').listConnections()) afterJoin.push(member.connectionId);
    expect(afterJoin.sort()).toEqual([kim.connectionId, lee.connectionId].sort());
    await service.revokePermission(lee.connectionId, 'joinLeaveGroup', { targetName: 'lobby' });
    expect(await service.hasPermission(lee.connectionId, 'joinLeaveGroup', { targetName: 'lobby' })).toBe(false);

    await service.removeConnectionFromAllGroups(lee.connectionId);
    const kimStopped = new Promise<void>((resolve) => kim.client.on('stopped', () => resolve()));
    await service.group('lobby').closeAllConnections({ reason: 'lobby closed' });
    await kimStopped;
    expect(await service.userExists('kim')).toBe(false);
    expect(await service.userExists('lee')).toBe(true);
    const leeStopped = new Promise<void>((resolve) => lee.client.on('stopped', () => resolve()));
    await service.closeAllConnections();
    await leeStopped;
    expect(await service.userExists('lee')).toBe(false);
  });

  test('generateToken returns an HS256 client token with the audience, sub, roles, groups and expiry', async () => {
    const { emu } = env();
    const url = `${emu.endpoint}api/hubs/${HUB}/:generateToken?api-version=2024-01-01&userId=erin&role=webpubsub.joinLeaveGroup&group=g1&minutesToExpire=5`;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${hs256({ aud: url, exp: Math.floor(Date.now() / 1000) + 60 }, emu.accessKey)}`,
      },
    });
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };
    const [, payload = '', signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({
      aud: `${emu.endpoint}client/hubs/${HUB}`,
      sub: 'erin',
      role: ['webpubsub.joinLeaveGroup'],
      'webpubsub.group': ['g1'],
    });
    expect(Number(claims['exp']) - Math.floor(Date.now() / 1000)).toBeGreaterThan(290);
    const [header = ''] = token.split('.');
    expect(createHmac('sha256', emu.accessKey).update(`${header}.${payload}`).digest('base64url')).toBe(signature);
  });

  test('a wrong key, a wrong audience or an expired REST token gets 401; an unknown api-version 400', async () => {
    const { emu } = env();
    const wrongKey = new WebPubSubServiceClient(
      `Endpoint=http://127.0.0.1:${emu.port};AccessKey=not-the-key;Version=1.0;`,
      HUB,
      { retryOptions: { maxRetries: 0 }, allowInsecureConnection: true },
    );
    await expect(wrongKey.sendToAll({ x: 1 })).rejects.toMatchObject({ statusCode: 401 });

    const url = `${emu.endpoint}api/hubs/${HUB}/:send?api-version=2024-01-01`;
    const exp = Math.floor(Date.now() / 1000) + 60;
    const post = (token: string, target = url): Promise<Response> =>
      fetch(target, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
    expect((await post(hs256({ aud: `${emu.endpoint}api/hubs/other/:send`, exp }, emu.accessKey))).status).toBe(401);
    expect((await post(hs256({ aud: url, exp: exp - 3600 }, emu.accessKey))).status).toBe(401);
    expect((await post(hs256({ aud: url, exp }, emu.accessKey))).status).toBe(202);
    const unknownVersion = `${emu.endpoint}api/hubs/${HUB}/:send?api-version=2019-01-01`;
    const refused = await post(hs256({ aud: unknownVersion, exp }, emu.accessKey), unknownVersion);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('x-ms-error-code')).toBe('BadRequest');
  });
});
