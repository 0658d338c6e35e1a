import type { RequestContext } from '../acs/context';
import { ApiError, badRequest, notFound } from '../acs/errors';
import { jsonBody, objectBody } from '../acs/request';
import { CONTROL_KEY_HEADER } from '../common/control-call';
import { commonControlRoute, type ControlResult } from '../common/control-routes';
import { sameSecret } from './auth';
import type { ContentSafetyControl } from './control';
import type { SeverityTerm } from './severity';
import type { RateLimitSetting } from './state';

/**
 * `/_emulator/<route>` on the emulator's port, for a benchmark or dev stack in another process; authorized by the
 * `x-emulator-key` header carrying the emulator's key (a data-plane credential alone is not enough).
 */

function numberField(ctx: RequestContext, field: string): number | undefined {
  const value = (jsonBody(ctx) as Record<string, unknown> | undefined)?.[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw badRequest(`'${field}' must be a number.`);
  return value;
}

export function handleControl(
  ctx: RequestContext,
  route: string,
  key: string,
  control: ContentSafetyControl,
): ControlResult {
  const given = ctx.headers[CONTROL_KEY_HEADER];
  if (typeof given !== 'string' || !sameSecret(given, key))
    throw new ApiError(401, 'Unauthorized', `The control API needs the emulator key in ${CONTROL_KEY_HEADER}.`);
  const common = commonControlRoute(ctx, `${ctx.method} ${route}`, control);
  if (common) return common;
  switch (`${ctx.method} ${route}`) {
    case 'GET severity-terms':
      return { status: 200, body: { value: control.severityTerms() } };
    case 'PUT severity-terms': {
      const terms = objectBody(ctx).terms;
      if (!Array.isArray(terms)) throw badRequest("'terms' must be an array.");
      control.setSeverityTerms(terms as SeverityTerm[]);
      return { status: 204 };
    }
    case 'DELETE severity-terms':
      control.clearSeverityTerms();
      return { status: 204 };
    case 'PUT outage': {
      const forMs = numberField(ctx, 'forMs');
      control.startOutage(forMs === undefined ? {} : { forMs });
      return { status: 204 };
    }
    case 'DELETE outage':
      control.endOutage();
      return { status: 204 };
    case 'PUT delay':
      control.setDelay(numberField(ctx, 'ms') ?? NaN);
      return { status: 204 };
    case 'GET rate-limit':
      return { status: 200, body: { rateLimit: control.rateLimit() } };
    case 'PUT rate-limit':
      control.setRateLimit(objectBody(ctx).rateLimit as RateLimitSetting);
      return { status: 204 };
    case 'GET analyses':
      return { status: 200, body: { value: control.recentAnalyses() } };
    default:
      throw notFound(`Unknown control route ${ctx.method} /_emulator/${route}.`);
  }
}
