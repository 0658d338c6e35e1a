import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * Checks API responses against the API description (GET /api/openapi.json): a response whose status is not
 * described, or whose body does not match the described schema, is a drift and fails the test that received it.
 * The document is fetched once per test file (it is the same for every stack) and each schema compiled once.
 */

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
}
interface Route {
  pattern: RegExp;
  methods: Record<string, Operation>;
}

const DOCUMENT_ID = 'openapi.json';
/** Compiled once per test file: every stack of the backend serves the same document. */
let description: ApiDescription | undefined;
/** Hosts serving a route table of their own (dev host tests) have no description; their responses are not checked. */
const describedOrigins = new Map<string, Promise<boolean>>();

class ApiDescription {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly routes: Route[];

  constructor(document: Document) {
    addFormats(this.ajv);
    this.ajv.addSchema(document, DOCUMENT_ID);
    this.routes = Object.entries(document.paths).map(([path, methods]) => ({
      pattern: new RegExp(`^/api${path.replace(/\{\w+\}/g, '[^/]+')}$`),
      methods,
    }));
  }

  /** Why the response drifts from the description, or undefined when it matches (or the route is not ours). */
  drift(method: string, pathname: string, status: number, text: string): string | undefined {
    const operation = this.routes.find((route) => route.pattern.test(pathname))?.methods[method.toLowerCase()];
    if (!operation) return undefined;
    const response = operation.responses[String(status)];
    if (!response && status < 400) return `status ${status} is not described`;
    if (response?.content?.['text/html']) return undefined;
    const ref = response
      ? response.content?.['application/json']?.schema.$ref
      : // Any error status (also an undescribed one, e.g. 500 or 502) has the error body.
        '#/components/schemas/Error';
    if (!ref)
      return text === '' ? undefined : `status ${status} is described without a body, got ${text.slice(0, 200)}`;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return `the body is not JSON: ${text.slice(0, 200)}`;
    }
    const validate = this.validator(ref);
    if (validate(body)) return undefined;
    return `the body does not match ${ref}: ${this.ajv.errorsText(validate.errors)}`;
  }

  private validator(ref: string): ValidateFunction {
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}${ref}` });
      this.validators.set(ref, validate);
    }
    return validate;
  }
}

/** Throws when an `/api` response drifts from the API description served at the same origin. */
export async function checkApiResponse(url: string, method: string, status: number, text: string): Promise<void> {
  const { origin, pathname } = new URL(url);
  if (!pathname.startsWith('/api/')) return;
  let described = describedOrigins.get(origin);
  if (!described) {
    described = fetch(`${origin}/api/openapi.json`).then(async (response) => {
      const document = response.ok ? ((await response.json()) as Partial<Document>) : undefined;
      if (!document?.paths) return false;
      description ??= new ApiDescription(document as Document);
      return true;
    });
    describedOrigins.set(origin, described);
  }
  if (!(await described) || !description) return;
  const drift = description.drift(method, pathname, status, text);
  if (drift)
    throw new Error(`${method} ${pathname} answered ${status}, which drifts from the API description: ${drift}`);
}
