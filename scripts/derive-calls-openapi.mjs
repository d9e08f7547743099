#!/usr/bin/env node
/**
 * Derives `metadata/graph/calls.openapi3.json` from `metadata/graph/v1.0-cleanMetadata.xml` (Graph's v1.0 CSDL).
 *
 *   npm run metadata:derive            rewrite the OpenAPI document from the CSDL
 *   node scripts/derive-calls-openapi.mjs --check   exit 1 if the committed document differs
 *
 * Steps (see metadata/graph/README.md for why each exists):
 * 1. Strip the CSDL's UTF-8 byte-order mark (the file has one): odata-openapi3's CLI tells XML from JSON by a
 *    leading `<`, so the original conversion had to strip it; done here too so both read the same text.
 * 2. Convert with odata-openapi (pinned in package.json), exactly as its CLI
 *    `odata-openapi3 -k communications --basePath /v1.0 --host 127.0.0.1:4010 --skipBatchPath -o 3.0.3` does.
 *    Keeping only the `communications` root already limits components to the types reachable from it.
 * 3. Keep only the `/communications/calls…` paths, put the base path into each path and make the server the bare
 *    origin prism listens on by default (`http://127.0.0.1:4010`), so `prism mock|proxy` serve `/v1.0/…` as Graph does.
 * 4. Rewrite OData URL syntax to the REST form Graph documents and the SDKs send: key segments
 *    `calls('{id_1}')` → `calls/{id_1}`, bound actions `graph.invite` → `invite` (any namespace or alias qualifier).
 * 5. Replace the converter's stubs for action return types ({ type: 'object', description: 'Stub for graph.X' },
 *    emitted because `-k` keeps no entity set of the operation types) by a `$ref` to the schema that components
 *    do hold, so a response body is validated against its real type.
 * The result is serialized as `JSON.stringify(doc, null, 1)` with no trailing newline, as committed.
 *
 * Plain Node ESM (no build step): it runs before and apart from TypeScript. `derive-calls-openapi.d.mts` types it
 * for the test that checks the committed document is what this script produces (test/metadata/derive.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { csdl2openapi } from 'odata-openapi';
import { xml2json } from 'odata-csdl';

export const METADATA_DIR = new URL('../metadata/graph/', import.meta.url);
export const CSDL_FILE = fileURLToPath(new URL('v1.0-cleanMetadata.xml', METADATA_DIR));
export const OPENAPI_FILE = fileURLToPath(new URL('calls.openapi3.json', METADATA_DIR));

/** The converter's options: the CLI flags above, by their library names. */
export const CONVERTER_OPTIONS = Object.freeze({
  rootResourcesToKeep: ['communications'],
  basePath: '/v1.0',
  // prism's default address; the generated description names it (`https://` is the converter's default scheme).
  host: '127.0.0.1:4010',
  skipBatchPath: true,
  openapiVersion: '3.0.3',
});

const CALLS_PATH = /^\/communications\/calls(?=$|[/(])/;
const SCHEMA_REF = '#/components/schemas/';
const STUB_PREFIX = 'Stub for ';

/** Namespace of every schema in the CSDL JSON, keyed by its namespace and by its alias (`graph` → `microsoft.graph`). */
export function namespacesOf(csdlJson) {
  const byQualifier = new Map();
  for (const [key, value] of Object.entries(csdlJson)) {
    if (key.startsWith('$') || value === null || typeof value !== 'object') continue;
    byQualifier.set(key, key);
    if (typeof value.$Alias === 'string') byQualifier.set(value.$Alias, key);
  }
  return byQualifier;
}

/** `graph.inviteParticipantsOperation` → `microsoft.graph.inviteParticipantsOperation`. */
function qualify(name, namespaces) {
  const dot = name.lastIndexOf('.');
  const namespace = dot > 0 ? namespaces.get(name.slice(0, dot)) : undefined;
  if (!namespace) throw new Error(`derive-calls-openapi: '${name}' has no known namespace or alias`);
  return `${namespace}.${name.slice(dot + 1)}`;
}

/** One OData path segment in REST form: `calls('{id_1}')` → `calls/{id_1}`, `graph.invite` → `invite`. */
function restSegment(segment, namespaces) {
  const key = /^(\w+)\('(\{\w+\})'\)$/.exec(segment);
  if (key) return `${key[1]}/${key[2]}`;
  const dot = segment.lastIndexOf('.');
  if (dot > 0 && namespaces.has(segment.slice(0, dot))) return segment.slice(dot + 1);
  // Anything else OData-specific (composite keys, `$count`, function parameters) must not pass unnoticed.
  if (!/^(\w+|\{\w+\})$/.test(segment)) {
    throw new Error(`derive-calls-openapi: no REST form for the path segment '${segment}'; extend restSegment`);
  }
  return segment;
}

/** Stub schemas of action return types replaced by `$ref`s to the real schema (other keys, e.g. nullable, kept). */
function unstub(node, namespaces, schemas) {
  if (Array.isArray(node)) return node.map((item) => unstub(item, namespaces, schemas));
  if (node === null || typeof node !== 'object') return node;
  const { type, description, ...rest } = node;
  if (type === 'object' && typeof description === 'string' && description.startsWith(STUB_PREFIX)) {
    const target = qualify(description.slice(STUB_PREFIX.length), namespaces);
    if (!Object.hasOwn(schemas, target)) {
      throw new Error(`derive-calls-openapi: the stub for '${target}' has no schema in components to refer to`);
    }
    return { allOf: [{ $ref: `${SCHEMA_REF}${target}` }], ...unstub(rest, namespaces, schemas) };
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, unstub(v, namespaces, schemas)]));
}

/** Steps 3–5: the converter's whole `communications` document reduced to the calls paths in REST form. */
export function reduceToCalls(openapi, namespaces, options = CONVERTER_OPTIONS) {
  const schemas = openapi.components?.schemas ?? {};
  const paths = {};
  for (const [path, item] of Object.entries(openapi.paths)) {
    if (!CALLS_PATH.test(path)) continue;
    const rest = path
      .split('/')
      .slice(1)
      .map((segment) => restSegment(segment, namespaces))
      .join('/');
    const key = `${options.basePath}/${rest}`;
    if (Object.hasOwn(paths, key)) throw new Error(`derive-calls-openapi: two paths map to '${key}'`);
    paths[key] = unstub(item, namespaces, schemas);
  }
  if (Object.keys(paths).length === 0) throw new Error('derive-calls-openapi: the converter produced no calls path');
  return { ...openapi, servers: [{ url: `http://${options.host}` }], paths };
}

/** Steps 1–5 on the CSDL's text (as read from the file, BOM included). */
export function deriveCallsOpenApi(csdlXml) {
  const csdlJson = xml2json(csdlXml.replace(/^\uFEFF/, ''));
  const messages = [];
  const openapi = csdl2openapi(csdlJson, {
    ...CONVERTER_OPTIONS,
    rootResourcesToKeep: [...CONVERTER_OPTIONS.rootResourcesToKeep],
    messages,
  });
  return { document: reduceToCalls(openapi, namespacesOf(csdlJson)), messages };
}

/** The committed file's exact form: one-space indentation, no trailing newline. */
export function serializeOpenApi(document) {
  return JSON.stringify(document, null, 1);
}

function main(argv) {
  const check = argv.includes('--check');
  const { document, messages } = deriveCallsOpenApi(readFileSync(CSDL_FILE, 'utf8'));
  // The converter's own warnings (e.g. annotations it does not understand); they do not stop the derivation.
  for (const message of messages) process.stderr.write(`odata-openapi: ${message}\n`);
  const text = serializeOpenApi(document);
  const committed = readFileSync(OPENAPI_FILE, 'utf8');
  if (check) {
    process.stdout.write(
      text === committed ? `${OPENAPI_FILE} is up to date\n` : `${OPENAPI_FILE} differs from the derivation\n`,
    );
    return text === committed ? 0 : 1;
  }
  writeFileSync(OPENAPI_FILE, text);
  process.stdout.write(
    `${OPENAPI_FILE}: ${Object.keys(document.paths).length} paths, ${text === committed ? 'unchanged' : 'rewritten'}\n`,
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
