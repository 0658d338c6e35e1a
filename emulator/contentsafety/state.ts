import type { FaultInjector } from '../acs/faults';
import type { RateLimiter } from '../acs/ratelimit';
import type { BlocklistStore } from './blocklists';
import type { RateTier, TextCategory } from './limits';
import type { SeverityTable } from './severity';

/** Everything the Content Safety emulator's routes and control API share. */

/** A tier's documented rate, a custom one (tests), or none. */
export type RateLimitSetting = RateTier | { limit: number; windowSeconds: number } | 'off';

/** One text:analyze call as the emulator saw it (the control API keeps the last 100). */
export interface AnalysisRecord {
  at: string;
  apiVersion: string;
  text: string;
  categories: TextCategory[];
  blocklistNames: string[];
  haltOnBlocklistHit: boolean;
  outputType: 'FourSeverityLevels' | 'EightSeverityLevels';
  blocklistsMatched: number;
}

export interface ContentSafetyState {
  key: string;
  blocklists: BlocklistStore;
  severity: SeverityTable;
  faults: FaultInjector;
  rateLimit: { setting: RateLimitSetting; limiter: RateLimiter };
  /** Data-plane requests received per operation, whatever their outcome. */
  counts: Map<string, number>;
  /** Every data-plane call answers 503 until then (epoch ms; Infinity = until ended). */
  outage: { untilMs: number };
  /** Added before every data-plane call is handled. */
  delay: { ms: number };
  analyses: AnalysisRecord[];
}
