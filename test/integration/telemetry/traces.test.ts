import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { type LiveTab, openLiveTab } from '../../helpers/live';
import { startTestStack, type TestStack } from '../../helpers/stack';
import { descendsFrom, InMemoryTelemetry, traceOf } from '../../helpers/telemetry';

const MINUTE = 60_000;
const SEND_ROUTE = '/api/threads/{threadId}/messages';

/**
 * One message through the whole path, as a team would follow it in Application Insights: the API request, its ACS
 * send and Tables operations, then Event Grid's deliveries to chatEvents (linked back to the request's trace), their
 * inbox writes and the push to the recipient's live connection; and the metrics moving by exactly what happened.
 * In-memory exporters on the real stack (dev host, ACS emulator, Event Grid and Web PubSub emulators, Azurite).
 */
describe('telemetry: one trace from request to ACS to event to push, and the chat metrics', () => {
  const telemetry = new InMemoryTelemetry();
  let stack: TestStack;
  let alice: ApiUser;
  let bob: ApiUser;
  let bobTab: LiveTab;
  let threadId: string;

  beforeAll(async () => {
    stack = await startTestStack(
      { FAIR_USE_THREADS_PER_HOUR: '1', THREAD_RETENTION_DAYS: '1' },
      { chatEvents: true, emulatorClock: true, email: true, telemetry: telemetry.export },
    );
    alice = await signIn(stack, 'otel-alice', { name: 'Alice', email: 'alice@example.com' });
    bob = await signIn(stack, 'otel-bob', { name: 'Bob', email: 'bob@example.com' });
    for (const user of [alice, bob]) expect((await user.request('POST', '/token')).status).toBe(200);
    const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', {
      topic: 'Traced',
      participants: [{ userId: bob.userId }],
    });
    expect(created.status).toBe(201);
    threadId = created.body.thread.id;
    bobTab = await openLiveTab(stack, bob);
    await flush();
  });
  afterAll(async () => {
    bobTab?.connection.stop();
    await stack?.close();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  });

  const flush = async () =>
    expect(await stack.emulator!.control.flushEvents()).toMatchObject({ settled: true, deadLettered: 0 });
  const named = (spans: ReadableSpan[], name: string) => spans.filter((span) => span.name === name);

  it('traces a sent message: request → ACS send and Tables; its events → inbox writes and the push, linked back', async () => {
    const before = {
      requests: await telemetry.total('chat.requests', {
        'http.route': SEND_ROUTE,
        'http.request.method': 'POST',
        'http.response.status_code': 201,
      }),
      acsSends: await telemetry.total('chat.upstream.calls', {
        'chat.upstream.service': 'acs.chat',
        'chat.upstream.operation': 'sendChatMessage',
        'chat.upstream.status': '201',
      }),
      received: await telemetry.total('chat.events', {
        'chat.event.type': 'ChatMessageReceivedInThread',
        'chat.event.outcome': 'handled',
      }),
      lagged: await telemetry.total('chat.event.lag', { 'chat.event.type': 'ChatMessageReceivedInThread' }),
      pushed: await telemetry.total('chat.pushes', { 'chat.push.target': 'user', 'chat.push.outcome': 'sent' }),
    };
    telemetry.spanExporter.reset();

    const sent = await alice.request<{ id: string }>('POST', threadPath(threadId, '/messages'), { content: 'hello' });
    expect(sent.status).toBe(201);
    await flush();
    await bobTab.next('messageCreated', (update) => update.message.id === sent.body.id);
    const spans = telemetry.spans();

    // The request: a root span named by its route template, with its status and the caller (pseudonymised).
    const [request] = named(spans, `POST ${SEND_ROUTE}`);
    expect(request).toBeDefined();
    expect(request!.kind).toBe(SpanKind.SERVER);
    expect(request!.parentSpanContext).toBeUndefined();
    expect(request!.attributes).toMatchObject({
      'http.route': SEND_ROUTE,
      'http.response.status_code': 201,
      'faas.trigger': 'http',
      'faas.name': expect.any(String),
    });
    expect(request!.attributes['chat.user']).toMatch(/^u-[\w-]{16}$/);
    expect(request!.attributes['chat.thread']).toMatch(/^t-[\w-]{16}$/);
    const requestTrace = traceOf(spans, request!.spanContext().traceId);
    // Its dependencies are its children: the ACS send (as alice) and the Tables operations.
    const [acsSend] = named(requestTrace, 'acs.chat sendChatMessage');
    expect(acsSend).toBeDefined();
    expect(acsSend!.kind).toBe(SpanKind.CLIENT);
    expect(acsSend!.attributes).toMatchObject({ 'chat.upstream.status': '201', 'http.response.status_code': 201 });
    expect(descendsFrom(acsSend!, request!, spans)).toBe(true);
    const tables = requestTrace.filter((span) => span.attributes['chat.upstream.service'] === 'tables');
    expect(tables.length).toBeGreaterThan(0);
    for (const span of tables) {
      expect(descendsFrom(span, request!, spans)).toBe(true);
      expect(span.name).toMatch(
        /^tables (getEntity|queryEntities|insertEntity|replaceEntity|mergeEntity|deleteEntity|submitTransaction)$/,
      );
      expect(span.attributes['chat.table']).toMatch(/^t\w+$/);
    }

    // Event Grid's deliveries of the message: each handling span is a trace of its own, linked to the request.
    const deliveries = named(spans, 'chatEvents ChatMessageReceivedInThread');
    expect(deliveries.length).toBeGreaterThan(0);
    for (const delivery of deliveries) {
      expect(delivery.kind).toBe(SpanKind.SERVER);
      expect(delivery.links.map((link) => link.context.traceId)).toEqual([request!.spanContext().traceId]);
      expect(delivery.attributes).toMatchObject({
        'chat.event.type': 'ChatMessageReceivedInThread',
        'chat.event.outcome': 'handled',
        'messaging.system': 'eventgrid',
        'messaging.message.id': expect.any(String),
        'chat.thread': request!.attributes['chat.thread'],
      });
      expect(delivery.attributes['chat.event.lag_ms']).toEqual(expect.any(Number));
    }
    const deliveryTraces = deliveries.flatMap((delivery) => traceOf(spans, delivery.spanContext().traceId));
    // The inbox writes and the push to bob's live connection are children of a delivery's span.
    const inboxWrites = deliveryTraces.filter(
      (span) =>
        span.attributes['chat.upstream.service'] === 'tables' &&
        String(span.attributes['chat.table']).endsWith('Inbox'),
    );
    expect(inboxWrites.length).toBeGreaterThan(0);
    const pushes = named(deliveryTraces, 'webpubsub sendToUser');
    expect(pushes.length).toBeGreaterThan(0);
    for (const push of pushes) {
      expect(push.kind).toBe(SpanKind.CLIENT);
      expect(deliveries.some((delivery) => descendsFrom(push, delivery, spans))).toBe(true);
    }

    // The metrics moved by what the spans show.
    // Every push of the message (to each participant, whether connected or not) was accepted.
    const allPushes = named(spans, 'webpubsub sendToUser');
    const sentPushes = allPushes.filter((push) => push.attributes['chat.upstream.status'] === '202').length;
    expect(sentPushes).toBe(allPushes.length);
    expect(
      await telemetry.total('chat.requests', {
        'http.route': SEND_ROUTE,
        'http.request.method': 'POST',
        'http.response.status_code': 201,
      }),
    ).toBe(before.requests + 1);
    expect(
      await telemetry.total('chat.upstream.calls', {
        'chat.upstream.service': 'acs.chat',
        'chat.upstream.operation': 'sendChatMessage',
        'chat.upstream.status': '201',
      }),
    ).toBe(before.acsSends + 1);
    expect(
      await telemetry.total('chat.events', {
        'chat.event.type': 'ChatMessageReceivedInThread',
        'chat.event.outcome': 'handled',
      }),
    ).toBe(before.received + deliveries.length);
    expect(await telemetry.total('chat.event.lag', { 'chat.event.type': 'ChatMessageReceivedInThread' })).toBe(
      before.lagged + deliveries.length,
    );
    expect(await telemetry.total('chat.pushes', { 'chat.push.target': 'user', 'chat.push.outcome': 'sent' })).toBe(
      before.pushed + sentPushes,
    );
  });

  it('counts a fair-use refusal, and a request answered 429, by its limit and status', async () => {
    const refusals = await telemetry.total('chat.fair_use.refusals', { 'chat.fair_use.limit': 'threadsPerHour' });
    const answered = await telemetry.total('chat.requests', {
      'http.route': '/api/threads',
      'http.request.method': 'POST',
      'http.response.status_code': 429,
    });
    const refused = await alice.request('POST', '/threads', { topic: 'One too many' });
    expect(refused.status).toBe(429);
    expect(await telemetry.total('chat.fair_use.refusals', { 'chat.fair_use.limit': 'threadsPerHour' })).toBe(
      refusals + 1,
    );
    expect(
      await telemetry.total('chat.requests', {
        'http.route': '/api/threads',
        'http.request.method': 'POST',
        'http.response.status_code': 429,
      }),
    ).toBe(answered + 1);
  });

  it('logs through the invocation context with the trace and span ids of the invocation', async () => {
    telemetry.spanExporter.reset();
    stack.logs.length = 0;
    expect((await alice.request('GET', '/inbox')).status).toBe(200);
    const [span] = named(telemetry.spans(), 'GET /api/inbox');
    const completed = stack.logs.find((record) => record.args[0] === 'request completed');
    expect(completed?.args[1]).toMatchObject({
      traceId: span!.spanContext().traceId,
      spanId: span!.spanContext().spanId,
      status: 200,
    });
  });

  it('puts each timer run on a span with its summary, and counts emails due, pruned threads and erasures', async () => {
    // Bob is reading (his live tab is open) when his away email falls due: the run sees 1 due and skips it.
    const reading = await telemetry.total('chat.emails', { 'chat.email.outcome': 'reading' });
    stack.emulator!.control.advanceClock(20 * MINUTE);
    await stack.runTimer('sendAwayEmails');
    const depth = (await telemetry.metrics()).find((point) => point.name === 'chat.email.queue_depth');
    expect(depth?.value).toBe(1);
    expect(await telemetry.total('chat.emails', { 'chat.email.outcome': 'reading' })).toBe(reading + 1);

    // Two days on, the thread is idle past THREAD_RETENTION_DAYS: one run deletes it.
    const deleted = await telemetry.total('chat.pruning.threads', { 'chat.pruning.outcome': 'deleted' });
    telemetry.spanExporter.reset();
    stack.emulator!.control.advanceClock(2 * 24 * 60 * MINUTE);
    await stack.runTimer('pruneThreads');
    const [run] = named(telemetry.spans(), 'pruneThreads');
    expect(run).toBeDefined();
    expect(run!.attributes).toMatchObject({
      'faas.trigger': 'timer',
      'chat.run.deleted': 1,
      'chat.run.deferred': 0,
      'chat.run.complete': true,
    });
    expect(
      named(telemetry.spans(), 'acs.chat deleteChatThread').every((span) =>
        descendsFrom(span, run!, telemetry.spans()),
      ),
    ).toBe(true);
    expect(await telemetry.total('chat.pruning.threads', { 'chat.pruning.outcome': 'deleted' })).toBe(deleted + 1);

    const requested = await telemetry.total('chat.erasures', { 'chat.erasure.step': 'requested' });
    const completed = await telemetry.total('chat.erasures', { 'chat.erasure.step': 'completed' });
    const carol = await signIn(stack, 'otel-carol');
    expect((await carol.request('DELETE', '/me')).status).toBe(202);
    expect(await telemetry.total('chat.erasures', { 'chat.erasure.step': 'requested' })).toBe(requested + 1);
    expect(await telemetry.total('chat.erasures', { 'chat.erasure.step': 'completed' })).toBe(completed + 1);
  });
});
