/** Ajv validation of request bodies; a failure becomes a 400 that names the offending property. */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { badRequest } from './errors.js';

const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });

/** `/participants/0/identity` → `participants[0].identity`. */
export function propertyPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function describe(e: ErrorObject): { target: string; message: string } {
  if (e.keyword === 'required') {
    const target = propertyPath(e.instancePath, (e.params as { missingProperty: string }).missingProperty);
    return { target, message: `${target} is required.` };
  }
  const target = propertyPath(e.instancePath) || 'body';
  switch (e.keyword) {
    case 'type':
      return { target, message: `${target} must be of type ${String((e.params as { type: string | string[] }).type).replace(',null', ' or null')}.` };
    case 'enum':
      return { target, message: `${target} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}.` };
    case 'maxItems':
    case 'minItems':
    case 'minLength':
    case 'pattern':
    default:
      return { target, message: `${target} ${e.message ?? 'is invalid'}.` };
  }
}

export interface BodyValidator<T> {
  (body: unknown): T;
}

export function bodyValidator<T>(schema: object, opts: { optionalBody?: boolean } = {}): BodyValidator<T> {
  // Compiled on first use: compiling every route's schema up front was most of the time `npm start` took to answer.
  let compiled: ValidateFunction | undefined;
  return (body: unknown): T => {
    if (body === undefined || body === null) {
      if (opts.optionalBody) return {} as T;
      throw badRequest('A JSON request body is required.', 'body');
    }
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object.', 'body');
    const validate = (compiled ??= ajv.compile(schema));
    if (!validate(body)) {
      const first = validate.errors?.[0];
      if (!first) throw badRequest('The request body is invalid.', 'body');
      const { target, message } = describe(first);
      throw badRequest(message, target);
    }
    return body as T;
  };
}
