import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { gunzipSync } from 'node:zlib';

import forge from 'node-forge';

import { type Envelope as TestEnvelope, parseEnvelopes } from '../test/helpers/telemetry-sink';

/**
 * A stand-in for Application Insights' ingestion (Breeze, `POST /v2.1/track`) on loopback, for benchmarks that run the
 * real Azure Monitor exporter. It answers every track call with 200 (`itemsAccepted` = all) and counts what arrived:
 * envelopes by kind and, per trace, how many envelopes it had and what its root request was.
 *
 * Why an https host of Azure's rather than `IngestionEndpoint=http://127.0.0.1:<port>`: the exporter turns an http
 * ingestion endpoint into https (ConnectionStringParser.sanitizeUrl), and it gzips only requests to Azure's ingestion
 * hosts (gzipHttpClient.isIngestionUrl), so a loopback address would leave out the compression it does in Azure. So the
 * app gets `IngestionEndpoint=https://<INGESTION_HOST>:<port>/`, that host resolves to 127.0.0.1 in its process
 * (ingestion-dns.ts) and this sink serves TLS with a certificate the app trusts (NODE_EXTRA_CA_CERTS): the exporter
 * then works as in Azure, compression and keep-alive connections included.
 *
 * The exporter also calls out on its own: statsbeat (its health metrics, to Microsoft's ingestion in westus-0 or
 * westeurope-5) and OneSettings (settings.sdk.monitor.azure.com, remote configuration polled 5-15 s after start).
 * Those go through HTTPS_PROXY, which is this sink too: a tunnel to an ingestion host (statsbeat) ends here, over TLS
 * with the same certificate, and is counted apart (its own instrumentation keys); any other host is refused (403)
 * and counted. Nothing leaves the machine.
 */

/** The ingestion host the app is given; any name under `.in.applicationinsights.azure.com` gets the gzip path. */
export const INGESTION_HOST = 'bench.in.applicationinsights.azure.com';
/** The instrumentation key of the app's telemetry (statsbeat's have keys of their own). */
export const BENCH_IKEY = '00000000-0000-0000-0000-000000000000';

/** An envelope as the exporter sends it: with the instrumentation key it is for. */
type Envelope = TestEnvelope & { iKey?: string };

export interface TraceCount {
  /** The name of the trace's RequestData envelope (a root SERVER or CONSUMER span), when it arrived (see record). */
  root?: string;
  /** Envelopes of the trace: requests, dependencies, exceptions, span events. */
  items: number;
}

export interface SinkCounts {
  /** Track calls, how many of them came gzipped, their bytes as sent and as JSON. */
  posts: number;
  gzipped: number;
  bytes: number;
  jsonBytes: number;
  /** Envelopes by `<app|statsbeat> <baseType>`; the app's dependencies by name. */
  items: Record<string, number>;
  dependencies: Record<string, number>;
  /** CONNECT requests by host: tunnelled to this sink (ingestion hosts), refused (any other). */
  tunnelled: Record<string, number>;
  refused: Record<string, number>;
}

export interface IngestionSink {
  /** The app's APPLICATIONINSIGHTS_CONNECTION_STRING. */
  connectionString: string;
  /** HTTPS_PROXY for the app's process (see above); NO_PROXY must name loopback and INGESTION_HOST. */
  proxyUrl: string;
  /** The sink's certificate (self-signed), for the app's NODE_EXTRA_CA_CERTS. */
  certPem: string;
  counts(): SinkCounts;
  /** The app's traces by trace id. */
  traces(): ReadonlyMap<string, TraceCount>;
  close(): Promise<void>;
}

const TRACKED = new Set(['RequestData', 'RemoteDependencyData', 'ExceptionData', 'MessageData']);

export async function startIngestionSink(): Promise<IngestionSink> {
  const counts: SinkCounts = {
    ...{ posts: 0, gzipped: 0, bytes: 0, jsonBytes: 0 },
    ...{ items: {}, dependencies: {}, tunnelled: {}, refused: {} },
  };
  const traces = new Map<string, TraceCount>();
  const add = (into: Record<string, number>, key: string): void => void (into[key] = (into[key] ?? 0) + 1);

  const record = (envelope: Envelope): void => {
    const baseType = envelope.data.baseType;
    const app = envelope.iKey === BENCH_IKEY;
    add(counts.items, `${app ? 'app' : 'statsbeat'} ${baseType}`);
    // Metric envelopes may come without tags.
    const tags: Record<string, string> | undefined = envelope.tags;
    const traceId = tags?.['ai.operation.id'];
    if (app && baseType === 'RemoteDependencyData') add(counts.dependencies, envelope.data.baseData.name ?? '');
    if (!app || !traceId || !TRACKED.has(baseType)) return;
    const trace = traces.get(traceId) ?? { items: 0 };
    trace.items += 1;
    // The exporter names requests of SERVER spans only: a root CONSUMER span (an event handled with no trace from the
    // host) arrives with no name, so it goes by its function's.
    const request = envelope.data.baseData;
    if (baseType === 'RequestData') trace.root = request.name || `${request.properties?.['faas.name']} (no name)`;
    traces.set(traceId, trace);
  };

  const track = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || !/\/v2(\.1)?\/track$/.test(request.url ?? '')) {
        response.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      const gzipped = request.headers['content-encoding'] === 'gzip';
      const json = gzipped ? gunzipSync(body) : body;
      counts.posts += 1;
      counts.gzipped += gzipped ? 1 : 0;
      counts.bytes += body.length;
      counts.jsonBytes += json.length;
      const envelopes: Envelope[] = parseEnvelopes(json.toString('utf8'));
      for (const envelope of envelopes) record(envelope);
      const n = envelopes.length;
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ itemsReceived: n, itemsAccepted: n, errors: [] }));
    });
  };

  const { certPem, keyPem } = selfSignedCertificate('*.in.applicationinsights.azure.com');
  const tls = https.createServer({ cert: certPem, key: keyPem, keepAlive: true }, track);
  const server = http.createServer(track);
  server.on('connect', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const host = (request.url ?? '').replace(/:\d+$/, '');
    if (!host.endsWith('.in.applicationinsights.azure.com')) {
      add(counts.refused, host);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    add(counts.tunnelled, host);
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    tls.emit('connection', socket);
  });
  // The app's own ingestion calls reach the sink straight (INGESTION_HOST resolves to 127.0.0.1), TLS from the start.
  const direct = https.createServer({ cert: certPem, key: keyPem, keepAlive: true }, track);
  await Promise.all([listen(server), listen(direct)]);
  return {
    connectionString: `InstrumentationKey=${BENCH_IKEY};IngestionEndpoint=https://${INGESTION_HOST}:${port(direct)}/`,
    proxyUrl: `http://127.0.0.1:${port(server)}`,
    certPem,
    counts: () => structuredClone(counts),
    traces: () => traces,
    close: async () => {
      for (const each of [server, direct, tls]) each.closeAllConnections();
      await Promise.all([server, direct].map((each) => new Promise((resolve) => each.close(resolve))));
    },
  };
}

const listen = (server: http.Server): Promise<void> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const port = (server: http.Server): number => (server.address() as AddressInfo).port;

/** A self-signed certificate for `dnsName` (its own trust anchor in NODE_EXTRA_CA_CERTS), valid for a day. */
function selfSignedCertificate(dnsName: string): { certPem: string; keyPem: string } {
  const keyPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  const key = forge.pki.privateKeyFromPem(keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 3_600_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const name = [{ name: 'commonName', value: 'benchmark ingestion sink' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: dnsName }] }]);
  cert.sign(key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}
