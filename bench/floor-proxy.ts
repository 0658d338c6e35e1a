import http from 'node:http';

import { ChatClient, type ChatThreadClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';

/**
 * The least any backend in front of ACS can cost, for overhead.bench.ts: a Node HTTP server in a process of its own
 * that does nothing but make the same SDK call as the same user (no authentication, validation, lookups or logging)
 * and answer its result as JSON. `POST /send/{user}` sends the body's `content`; `GET /list/{user}` lists a page.
 * Configuration arrives as JSON in FLOOR_CONFIG; the port it listens on is printed as `PORT <n>`.
 */

interface FloorConfig {
  endpoint: string;
  ca: string;
  threadId: string;
  tokens: string[];
}

const config = JSON.parse(process.env.FLOOR_CONFIG ?? '{}') as FloorConfig;
const threads: ChatThreadClient[] = config.tokens.map((token) =>
  new ChatClient(config.endpoint, new AzureCommunicationTokenCredential(token), {
    tlsOptions: { ca: config.ca },
  }).getChatThreadClient(config.threadId),
);

async function answer(operation: string | undefined, thread: ChatThreadClient, body: string): Promise<unknown> {
  if (operation === 'send') {
    const { content } = JSON.parse(body) as { content: string };
    return { id: (await thread.sendMessage({ content })).id };
  }
  const page = await thread.listMessages({ maxPageSize: 20 }).byPage({ maxPageSize: 20 }).next();
  return { items: page.value as unknown };
}

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const [, operation, user] = (request.url ?? '').split('/');
    const thread = threads[Number(user)];
    if (!thread) return void response.writeHead(404).end();
    answer(operation, thread, Buffer.concat(chunks).toString('utf8')).then(
      (result) =>
        response
          .writeHead(operation === 'send' ? 201 : 200, { 'content-type': 'application/json' })
          .end(JSON.stringify(result)),
      () => response.writeHead(502).end(),
    );
  });
});
server.listen(0, '127.0.0.1', () => console.log(`PORT ${(server.address() as { port: number }).port}`));
