import { Cron } from 'croner';

import type { FunctionDefinition } from '../src/functions/definition';
import type { DevHost } from './host';

/**
 * Runs each timer function of the route table on its NCRONTAB schedule (six fields, seconds first, as croner reads
 * them), as `func start` does, through the host's own `POST /admin/functions/{name}`, so a run is logged like any
 * other. A run still going when the next is due is skipped, as the Functions host does. Returns a stop function.
 */
export function runTimersOnSchedule(host: DevHost, functions: FunctionDefinition[]): () => void {
  const jobs = functions
    .filter((definition) => definition.kind === 'timer')
    .map(
      (timer) =>
        new Cron(timer.schedule, { protect: true, utcOffset: 0 }, async () => {
          await fetch(`${host.origin}/admin/functions/${encodeURIComponent(timer.name)}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"input":""}',
          }).catch(() => undefined);
        }),
    );
  return () => {
    for (const job of jobs) job.stop();
  };
}
