import * as z from 'zod';

import { isStatus } from './storage/errors';

/**
 * Dependency checks for GET /api/health. Results are cached for a second and concurrent requests share one check, so
 * an anonymous endpoint cannot be used to hammer Storage or ACS, while a failure or a recovery shows within 2 s.
 * They reveal only "ok" or "unavailable". A dependency that answers 429 is up (it is throttling the probe), not down.
 * Chat needs its required dependencies (Storage, ACS): one down makes the report `degraded` (HTTP 503). An optional one
 * (Web PubSub: live updates are best effort, clients poll without them) down makes it `limited`, still HTTP 200, so a
 * platform health probe never takes instances out for something they cannot fix and chat does not need.
 */

const checkStatus = z.enum(['ok', 'unavailable']);
export type CheckStatus = z.infer<typeof checkStatus>;
export type DependencyCheck = () => Promise<void>;

export const healthReportSchema = z
  .object({ status: z.enum(['ok', 'limited', 'degraded']), checks: z.record(z.string(), checkStatus) })
  .meta({ id: 'HealthReport' });
export type HealthReport = z.infer<typeof healthReportSchema>;

export class HealthService {
  private cached?: { report: HealthReport; expiresAt: number };
  private inFlight?: Promise<HealthReport>;

  constructor(
    private readonly checks: Record<string, DependencyCheck>,
    private readonly optional: ReadonlySet<string> = new Set(),
    private readonly cacheMs = 1_000,
    private readonly timeoutMs = 1_500,
  ) {}

  async report(): Promise<HealthReport> {
    if (this.cached && this.cached.expiresAt > Date.now()) return this.cached.report;
    this.inFlight ??= this.check().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async check(): Promise<HealthReport> {
    const entries = await Promise.all(
      Object.entries(this.checks).map(async ([name, check]): Promise<[string, CheckStatus]> => [
        name,
        await this.run(check),
      ]),
    );
    const checks = Object.fromEntries(entries);
    const down = entries.filter(([, status]) => status !== 'ok').map(([name]) => name);
    const status = down.length === 0 ? 'ok' : down.every((name) => this.optional.has(name)) ? 'limited' : 'degraded';
    const report: HealthReport = { status, checks };
    this.cached = { report, expiresAt: Date.now() + this.cacheMs };
    return report;
  }

  private async run(check: DependencyCheck): Promise<CheckStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('health check timed out')), this.timeoutMs);
    });
    try {
      await Promise.race([check(), timeout]);
      return 'ok';
    } catch (error) {
      return isStatus(error, 429) ? 'ok' : 'unavailable';
    } finally {
      clearTimeout(timer);
    }
  }
}
