/** Ajv validation of request bodies; a failure becomes a 400 that names the offending property. */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { badRequest } from './errors.js';

const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });

/** `/participants/0/identity` → `participants[0].identity`. */
export function propertyPath(instancePath: string, extra?: string): string {
  const parts = instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
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
      return {
        target,
        message: `${target} must be of type ${String((e.params as { type: string | string[] }).type).replace(',null', ' or null')}.`,
      };
    case 'enum':
      return {
        target,
        message: `${target} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}.`,
      };
    case 'maxItems':
    case 'minItems':
    case 'minLength':
    case 'pattern':
    default:
      return { target, message: `${target} ${e.message ?? 'is invalid'}.` };
  }
}

type SchemaNode = {
  enum?: readonly unknown[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: readonly SchemaNode[];
  oneOf?: readonly SchemaNode[];
  allOf?: readonly SchemaNode[];
};

/**
 * Rewrites, in place, every string that a schema's `enum` lists in another case to the listed spelling.
 * Graph reads enum members in any case, and Microsoft's C# calling SDK (Microsoft.Graph.Communications.*) sends
 * them PascalCase (`"requestedModalities":["Audio"]`, `"direction":"Outgoing"`); everything after validation then
 * sees the one spelling Graph documents, which is also what responses echo. A value that is no member in any case
 * is left alone for the `enum` check to name.
 */
export function canonicalizeEnums(schema: SchemaNode, data: unknown): unknown {
  if (typeof data === 'string' && schema.enum && !schema.enum.includes(data)) {
    const lower = data.toLowerCase();
    const member = schema.enum.find((m): m is string => typeof m === 'string' && m.toLowerCase() === lower);
    return member ?? data;
  }
  let out = data;
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
    out = canonicalizeEnums(branch, out);
  if (Array.isArray(out) && schema.items) {
    for (let i = 0; i < out.length; i++) out[i] = canonicalizeEnums(schema.items, out[i]);
  } else if (out !== null && typeof out === 'object' && schema.properties) {
    const obj = out as Record<string, unknown>;
    for (const [key, sub] of Object.entries(schema.properties)) {
      if (Object.hasOwn(obj, key)) obj[key] = canonicalizeEnums(sub, obj[key]);
    }
  }
  return out;
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
    if (typeof body !== 'object' || Array.isArray(body))
      throw badRequest('The request body must be a JSON object.', 'body');
    canonicalizeEnums(schema, body);
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
