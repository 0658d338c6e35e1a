import { ControlClientBase } from '../common/control-call';
import type { SeverityTerm } from './severity';
import type { AnalysisRecord, RateLimitSetting } from './state';

/**
 * The control API over HTTP, for a benchmark or dev stack in another process; same methods as `emu.control`.
 * `new ContentSafetyControlClient(emu.endpoint, emu.key, emu.caCertPem)`.
 */
export class ContentSafetyControlClient extends ControlClientBase {
  setSeverityTerms(terms: SeverityTerm[]): Promise<void> {
    return this.call('PUT', 'severity-terms', { terms });
  }

  async severityTerms(): Promise<SeverityTerm[]> {
    return (await this.call<{ value: SeverityTerm[] }>('GET', 'severity-terms')).value;
  }

  clearSeverityTerms(): Promise<void> {
    return this.call('DELETE', 'severity-terms');
  }

  startOutage(options: { forMs?: number } = {}): Promise<void> {
    return this.call('PUT', 'outage', options);
  }

  endOutage(): Promise<void> {
    return this.call('DELETE', 'outage');
  }

  setDelay(ms: number): Promise<void> {
    return this.call('PUT', 'delay', { ms });
  }

  setRateLimit(rateLimit: RateLimitSetting): Promise<void> {
    return this.call('PUT', 'rate-limit', { rateLimit });
  }

  async rateLimit(): Promise<RateLimitSetting> {
    return (await this.call<{ rateLimit: RateLimitSetting }>('GET', 'rate-limit')).rateLimit;
  }

  async recentAnalyses(): Promise<AnalysisRecord[]> {
    return (await this.call<{ value: AnalysisRecord[] }>('GET', 'analyses')).value;
  }
}
