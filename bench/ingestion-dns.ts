import dns from 'node:dns';

/**
 * Imported first in a benchmark's app process (startBenchStack's `imports`): resolves BENCH_INGESTION_HOST to
 * 127.0.0.1, where ingestion-sink.ts stands in for Application Insights' ingestion. Every other name resolves as usual.
 */

const host = process.env.BENCH_INGESTION_HOST;
const lookup = dns.lookup.bind(dns);

type Callback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

if (host) {
  const resolving = (hostname: string, options: unknown, callback?: Callback): void => {
    const done = (typeof options === 'function' ? options : callback) as Callback;
    const settings = typeof options === 'object' && options !== null ? (options as dns.LookupOptions) : {};
    if (hostname !== host) {
      (lookup as (name: string, options: dns.LookupOptions, callback: Callback) => void)(hostname, settings, done);
      return;
    }
    process.nextTick(() =>
      settings.all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4),
    );
  };
  dns.lookup = resolving as typeof dns.lookup;
}
