/**
 * JSON-Schema validation of Graph bodies against the v1.0 calls OpenAPI and CSDL in metadata/graph/ (see its README).
 *
 * Strictness (additionalProperties): the OpenAPI never sets `additionalProperties`, so by itself it accepts any
 * extra key. We close the types that the CSDL declares closed (no `OpenType="true"` on the type or a base type):
 * e.g. participant, participantInfo, mediaStream, resultInfo, commsNotifications. Open types (call, commsOperation
 * and its subtypes, invitationParticipantInfo, identitySet, identity, commsNotification) keep accepting extras, as
 * Graph does. Closing uses `unevaluatedProperties: false` (Ajv 2019 dialect) so keys of a derived type matched
 * through the base's `anyOf` still count. Keys containing `@` are OData annotations (`@odata.type`, `@odata.id`,
 * `@odata.etag`, `x@odata.count`) and are always allowed. Pass `{ closed: false }` to validate OpenAPI-as-is.
 *
 * Also checked: an `@odata.type` must name the declared type, one of its bases or one of its derived types (this
 * catches the doc quirk of tagging a participant's `info` as invitationParticipantInfo). Enums are checked as the
 * CSDL spells them: operationStatus is `NotStarted|Running|Completed|Failed`, so `"completed"` fails.
 */
import { readFileSync } from 'node:fs';
import { Ajv2019, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';

type Json = Record<string, unknown>;

const METADATA_DIR = new URL('../../metadata/graph/', import.meta.url);
const NS = 'microsoft.graph.';
const DOC_ID = 'https://switchboard.test/graph-calls.json';
const ENVELOPE = 'switchboard.commsNotificationsEnvelope';

// ajv-formats is CommonJS: under nodenext its default import is module.exports, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

interface CsdlType {
  base: string | undefined;
  open: boolean;
}

/** Entity and complex types of the v1.0 CSDL, keyed by qualified name (`microsoft.graph.call`). */
function readCsdlTypes(): Map<string, CsdlType> {
  const xml = readFileSync(new URL('v1.0-cleanMetadata.xml', METADATA_DIR), 'utf8');
  const aliases = new Map<string, string>();
  for (const m of xml.matchAll(/<Schema Namespace="([^"]+)"(?: Alias="([^"]+)")?/g)) {
    if (m[2]) aliases.set(m[2], m[1]!);
  }
  const qualify = (name: string): string => {
    const dot = name.lastIndexOf('.');
    const ns = name.slice(0, dot);
    return `${aliases.get(ns) ?? ns}.${name.slice(dot + 1)}`;
  };
  const types = new Map<string, CsdlType>();
  // Split by <Schema> so each type gets its namespace.
  for (const section of xml.split(/(?=<Schema Namespace=")/).slice(1)) {
    const ns = /^<Schema Namespace="([^"]+)"/.exec(section)![1]!;
    for (const tag of section.matchAll(/<(?:EntityType|ComplexType) ([^>]*)>/g)) {
      const attrs = Object.fromEntries([...tag[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
      types.set(`${ns}.${attrs.Name}`, {
        base: attrs.BaseType ? qualify(attrs.BaseType) : undefined,
        open: attrs.OpenType === 'true',
      });
    }
  }
  return types;
}

class TypeHierarchy {
  readonly types: Map<string, CsdlType>;
  readonly children = new Map<string, string[]>();

  constructor(types: Map<string, CsdlType>) {
    this.types = types;
    for (const [name, t] of types) {
      if (t.base) this.children.set(t.base, [...(this.children.get(t.base) ?? []), name]);
    }
  }

  ancestors(name: string): string[] {
    const out: string[] = [];
    for (let b = this.types.get(name)?.base; b; b = this.types.get(b)?.base) out.push(b);
    return out;
  }

  descendants(name: string): string[] {
    const direct = this.children.get(name) ?? [];
    return direct.flatMap((c) => [c, ...this.descendants(c)]);
  }

  /** OData: a type derived from an open type is open. */
  isOpen(name: string): boolean {
    return [name, ...this.ancestors(name)].some((n) => this.types.get(n)?.open === true);
  }
}

let hierarchy: TypeHierarchy | undefined;
function getHierarchy(): TypeHierarchy {
  return (hierarchy ??= new TypeHierarchy(readCsdlTypes()));
}

/** OpenAPI 3.0 `nullable` → JSON Schema (Ajv rejects `nullable` without `type`, e.g. next to `allOf`). */
function rewriteNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteNullable);
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Json;
  const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, rewriteNullable(v)]));
  // if/then/else rather than anyOf so a non-null mismatch reports only the real errors.
  return nullable === true ? { if: { type: 'null' }, then: true, else: out } : out;
}

/** commsNotification(s) and changeType are not in the calls OpenAPI; built from their CSDL definitions. */
const NOTIFICATION_SCHEMAS: Record<string, Json> = {
  [`${NS}changeType`]: { type: 'string', title: 'changeType', enum: ['created', 'updated', 'deleted'] },
  [`${NS}commsNotification`]: {
    title: 'commsNotification',
    type: 'object',
    required: ['changeType', 'resourceUrl'],
    properties: {
      changeType: { $ref: `#/components/schemas/${NS}changeType` },
      resourceUrl: { type: 'string' },
    },
  },
  [`${NS}commsNotifications`]: {
    title: 'commsNotifications',
    type: 'object',
    properties: { value: { type: 'array', items: { $ref: `#/components/schemas/${NS}commsNotification` } } },
  },
  // The wire envelope Switchboard POSTs to callbacks: stricter than the CSDL (annotations and `resource` required).
  [ENVELOPE]: {
    allOf: [{ $ref: `#/components/schemas/${NS}commsNotifications` }],
    type: 'object',
    required: ['@odata.type', 'value'],
    properties: {
      '@odata.type': { const: '#microsoft.graph.commsNotifications' },
      value: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['@odata.type', 'changeType', 'resource', 'resourceUrl'],
          properties: {
            '@odata.type': { const: '#microsoft.graph.commsNotification' },
            resource: { type: 'string', minLength: 1 },
            resourceUrl: { type: 'string', pattern: '^/' },
          },
        },
      },
    },
  },
};

function buildSchemas(closed: boolean): Json {
  const doc = JSON.parse(readFileSync(new URL('calls.openapi3.json', METADATA_DIR), 'utf8')) as {
    components: { schemas: Json };
  };
  const h = getHierarchy();
  const schemas = rewriteNullable({ ...doc.components.schemas, ...NOTIFICATION_SCHEMAS }) as Record<string, Json>;
  for (const [key, schema] of Object.entries(schemas)) {
    if (schema.type !== 'object' || !h.types.has(key)) continue;
    const related = [key, ...h.ancestors(key), ...h.descendants(key)].map((n) => `#${n}`);
    const props = (schema.properties ?? {}) as Json;
    schema.properties = { ...props, '@odata.type': { type: 'string', enum: related } };
    schema.patternProperties = { '@': true };
    // A closed base type with an open derived type (meetingInfo → organizerMeetingInfo) stays open: a value of the
    // derived type may carry dynamic properties where the base is declared (allowConversationWithoutHost).
    if (closed && !h.isOpen(key) && !h.descendants(key).some((d) => h.isOpen(d))) schema.unevaluatedProperties = false;
  }
  return schemas;
}

function createAjv(closed: boolean): Ajv2019 {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('base64url', /^[A-Za-z0-9_-]*={0,2}$/);
  ajv.addSchema({ $id: DOC_ID, components: { schemas: buildSchemas(closed) } });
  return ajv;
}

const instances = new Map<boolean, { ajv: Ajv2019; compiled: Map<string, ValidateFunction> }>();

function validatorFor(schemaKey: string, closed: boolean): ValidateFunction {
  let inst = instances.get(closed);
  if (!inst) instances.set(closed, (inst = { ajv: createAjv(closed), compiled: new Map() }));
  let fn = inst.compiled.get(schemaKey);
  if (!fn) {
    fn = inst.ajv.getSchema(`${DOC_ID}#/components/schemas/${schemaKey}`);
    if (!fn) throw new Error(`No Graph schema '${schemaKey}' in calls.openapi3.json`);
    inst.compiled.set(schemaKey, fn);
  }
  return fn;
}

function formatErrors(errors: ErrorObject[], prefix: string): string[] {
  // `if` errors only restate the nullable rewrite's else-branch failure.
  const lines = errors
    .filter((e) => e.keyword !== 'if')
    .map((e) => {
      const detail =
        e.keyword === 'enum'
          ? ` ${JSON.stringify(e.params.allowedValues)}`
          : e.keyword === 'unevaluatedProperties'
            ? ` '${String(e.params.unevaluatedProperty)}'`
            : e.keyword === 'const'
              ? ` ${JSON.stringify(e.params.allowedValue)}`
              : '';
      return `${prefix}${e.instancePath || '/'}: ${e.message ?? e.keyword}${detail}`;
    });
  return [...new Set(lines)];
}

export class GraphValidationError extends Error {
  readonly problems: string[];

  constructor(what: string, problems: string[], value: unknown) {
    const shown = JSON.stringify(value);
    super(
      `${what} failed validation:\n  ${problems.join('\n  ')}\nvalue: ${shown.length > 2000 ? `${shown.slice(0, 2000)}…` : shown}`,
    );
    this.name = 'GraphValidationError';
    this.problems = problems;
  }
}

export interface ValidateOptions {
  /** Reject unknown keys on types the CSDL declares closed (default true). */
  closed?: boolean;
}

function check(schemaKey: string, value: unknown, opts: ValidateOptions | undefined, prefix = ''): string[] {
  const fn = validatorFor(schemaKey, opts?.closed ?? true);
  return fn(value) ? [] : formatErrors(fn.errors ?? [], prefix);
}

/** Throws a GraphValidationError unless `value` validates as `microsoft.graph.<typeName>`. */
export function validateGraph(typeName: string, value: unknown, opts?: ValidateOptions): void {
  const problems = check(`${NS}${typeName}`, value, opts);
  if (problems.length > 0) throw new GraphValidationError(`Graph '${typeName}'`, problems, value);
}

/** Validates a `{ value: [...] }` collection response item by item (e.g. GET …/participants). */
export function validateGraphCollection(typeName: string, body: unknown, opts?: ValidateOptions): void {
  const value = (body as { value?: unknown } | null)?.value;
  if (!Array.isArray(value))
    throw new GraphValidationError(`Graph '${typeName}' collection`, ['/value: must be array'], body);
  const problems = value.flatMap((item, i) => check(`${NS}${typeName}`, item, opts, `/value/${i}`));
  if (problems.length > 0) throw new GraphValidationError(`Graph '${typeName}' collection`, problems, body);
}

/** Which resourceData type a notification's resourceUrl implies (base type; derived types allowed). */
function expectedResource(resourceUrl: string): { type: string; array: boolean } | undefined {
  const path = resourceUrl.replace(/^\/(?:communications|app)\/calls\//, '/calls/');
  if (/^\/calls\/[^/]+$/.test(path)) return { type: 'call', array: false };
  if (/^\/calls\/[^/]+\/participants$/.test(path)) return { type: 'participant', array: true };
  if (/^\/calls\/[^/]+\/participants\/[^/]+$/.test(path)) return { type: 'participant', array: false };
  if (/^\/calls\/[^/]+\/operations\/[^/]+$/.test(path)) return { type: 'commsOperation', array: false };
  return undefined;
}

function checkResourceData(item: Json, i: number, opts: ValidateOptions | undefined): string[] {
  const at = `/value/${i}/resourceData`;
  const data = item.resourceData;
  if (data === undefined || data === null) return [`${at}: missing`];
  const expected = typeof item.resourceUrl === 'string' ? expectedResource(item.resourceUrl) : undefined;
  // The delta roster (callOptions.isDeltaRosterEnabled): a deltaParticipants entity (CSDL: sequenceNumber Int64 and
  // the participants navigation) in place of the participant array; each participant is checked as in the array.
  if (
    expected?.type === 'participant' &&
    expected.array &&
    !Array.isArray(data) &&
    (data as Json)['@odata.type'] === '#microsoft.graph.deltaParticipants'
  ) {
    const delta = data as Json;
    const extra = Object.keys(delta).filter(
      (k) => !['@odata.type', 'id', 'sequenceNumber', 'participants'].includes(k) && !k.includes('@'),
    );
    const problems = extra.map((k) => `${at}: deltaParticipants has no property '${k}'`);
    if (!Number.isInteger(delta.sequenceNumber))
      problems.push(`${at}/sequenceNumber: must be an Int64, got ${JSON.stringify(delta.sequenceNumber)}`);
    if (!Array.isArray(delta.participants)) return [...problems, `${at}/participants: must be an array`];
    return [
      ...problems,
      ...checkResourceData({ ...item, resourceData: delta.participants }, i, opts).map((p) =>
        p.replace(at, `${at}/participants`),
      ),
    ];
  }
  if (expected && expected.array !== Array.isArray(data)) {
    return [`${at}: must be ${expected.array ? 'an array' : 'an object'} for resourceUrl ${String(item.resourceUrl)}`];
  }
  const entries: [unknown, string][] = Array.isArray(data) ? data.map((d, j) => [d, `${at}/${j}`]) : [[data, at]];
  return entries.flatMap(([entry, path]) => {
    const odataType = (entry as Json | null)?.['@odata.type'];
    const m = typeof odataType === 'string' ? /^#microsoft\.graph\.(\w+)$/.exec(odataType) : null;
    if (!m)
      return [`${path}: needs an '@odata.type' of the form #microsoft.graph.<type>, got ${JSON.stringify(odataType)}`];
    const typeName = m[1]!;
    if (expected) {
      const allowed = [
        expected.type,
        ...getHierarchy()
          .descendants(`${NS}${expected.type}`)
          .map((n) => n.slice(NS.length)),
      ];
      if (!allowed.includes(typeName))
        return [
          `${path}: '@odata.type' ${String(odataType)} is not a ${expected.type} (resourceUrl ${String(item.resourceUrl)})`,
        ];
    }
    try {
      return check(`${NS}${typeName}`, entry, opts, path);
    } catch (err) {
      return [`${path}: ${(err as Error).message}`];
    }
  });
}

/**
 * Validates a callback POST body: the `commsNotifications` envelope, each `commsNotification`, and each
 * `resourceData` against the type its own `@odata.type` names (roster arrays item by item).
 */
export function validateNotificationEnvelope(body: unknown, opts?: ValidateOptions): void {
  const problems = check(ENVELOPE, body, opts);
  const items = (body as { value?: unknown } | null)?.value;
  if (Array.isArray(items)) {
    items.forEach((item, i) => {
      if (item !== null && typeof item === 'object') problems.push(...checkResourceData(item as Json, i, opts));
    });
  }
  if (problems.length > 0) throw new GraphValidationError('commsNotifications envelope', problems, body);
}
