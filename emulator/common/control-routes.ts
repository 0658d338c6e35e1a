import type { RequestContext } from '../acs/context';
import type { ActiveFault, FaultSpec } from '../acs/faults';
import { objectBody } from '../acs/request';

/** The `/_emulator/` routes every emulator serves: reset, request counts and faults. */

export interface CommonControl {
  reset(): void;
  requestCounts(): Record<string, number>;
  resetCounts(): void;
  injectFault(spec: FaultSpec): ActiveFault;
  listFaults(): ActiveFault[];
  clearFaults(): void;
}

export interface ControlResult {
  status: number;
  body?: unknown;
}

/** `route` is `<METHOD> <path after /_emulator/>`; undefined when it is not one of these. */
export function commonControlRoute(
  ctx: RequestContext,
  route: string,
  control: CommonControl,
): ControlResult | undefined {
  switch (route) {
    case 'POST reset':
      control.reset();
      return { status: 204 };
    case 'GET counts':
      return { status: 200, body: { counts: control.requestCounts() } };
    case 'DELETE counts':
      control.resetCounts();
      return { status: 204 };
    case 'GET faults':
      return { status: 200, body: { value: control.listFaults() } };
    case 'POST faults':
      return { status: 201, body: control.injectFault(objectBody(ctx) as unknown as FaultSpec) };
    case 'DELETE faults':
      control.clearFaults();
      return { status: 204 };
    default:
      return undefined;
  }
}
