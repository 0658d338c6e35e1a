/**
 * Azure Functions route templates, as the Functions host matches them: case-insensitive literal segments,
 * `{name}` parameters (URL-decoded), optional `{name?}`, constraints `{name:int}` / `{name:guid}` / `{name:alpha}` /
 * `{name:bool}`, and a trailing catch-all `{*rest}`. Literal segments outrank parameters.
 */

const CONSTRAINTS: Record<string, RegExp> = {
  int: /^-?\d+$/,
  long: /^-?\d+$/,
  guid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  alpha: /^[a-z]+$/i,
  bool: /^(true|false)$/i,
};

type Segment =
  | { kind: 'literal'; value: string /* lower case */ }
  | { kind: 'param'; name: string; optional: boolean; constraint?: RegExp }
  | { kind: 'catchAll'; name: string };

export class RouteTemplate {
  private readonly segments: Segment[];
  /** How many path segments a match can have: the host tries every template on every request, most fail here. */
  private readonly minParts: number;
  private readonly maxParts: number;

  constructor(readonly template: string) {
    this.segments = template
      .split('/')
      .filter((part) => part !== '')
      .map(parseSegment);
    const last = this.segments.at(-1);
    const lastIsOptional = last?.kind === 'catchAll' || (last?.kind === 'param' && last.optional);
    this.minParts = this.segments.length - (lastIsOptional ? 1 : 0);
    this.maxParts = last?.kind === 'catchAll' ? Number.POSITIVE_INFINITY : this.segments.length;
  }

  /** Higher ranks win when two templates match the same path. */
  get precedence(): number {
    return this.segments.reduce(
      (rank, segment) => rank * 3 + (segment.kind === 'literal' ? 2 : segment.kind === 'param' ? 1 : 0),
      1,
    );
  }

  match(path: string): Record<string, string> | undefined {
    const parts = path.split('/').filter((part) => part !== '');
    if (parts.length < this.minParts || parts.length > this.maxParts) return undefined;
    const params: Record<string, string> = {};
    for (let index = 0; index < this.segments.length; index += 1) {
      const segment = this.segments[index]!;
      if (segment.kind === 'catchAll') {
        params[segment.name] = parts.slice(index).map(safeDecode).join('/');
        return params;
      }
      const part = parts[index];
      if (part === undefined) {
        return segment.kind === 'param' && segment.optional && index === this.segments.length - 1 ? params : undefined;
      }
      const decoded = safeDecode(part);
      if (segment.kind === 'literal') {
        if (decoded.toLowerCase() !== segment.value) return undefined;
      } else {
        if (segment.constraint && !segment.constraint.test(decoded)) return undefined;
        params[segment.name] = decoded;
      }
    }
    return parts.length === this.segments.length ? params : undefined;
  }
}

function parseSegment(part: string): Segment {
  const param = /^\{(\*)?([A-Za-z_][\w]*)(\?)?(?::([A-Za-z]+))?\}$/.exec(part);
  if (!param) return { kind: 'literal', value: part.toLowerCase() };
  const [, star, name = '', optional, constraintName] = param;
  if (star) return { kind: 'catchAll', name };
  const constraint = constraintName ? CONSTRAINTS[constraintName.toLowerCase()] : undefined;
  return { kind: 'param', name, optional: optional === '?', ...(constraint ? { constraint } : {}) };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
