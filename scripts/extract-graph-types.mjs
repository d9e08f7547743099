#!/usr/bin/env node
/**
 * Makes `metadata/graph/beta-calls-extract.xml` from Graph's full beta CSDL (`clean_beta_metadata/cleanMetadata.xml` of
 * microsoftgraph/msgraph-metadata, about 8 MB: too big to commit for the few types the calls surface renders). It keeps,
 * as the CSDL writes them, the entity and complex types the renderer shapes (RENDERED_TYPES of
 * scripts/derive-wire-properties.mjs) and their base types, complex types first, each group sorted by name as the CSDL
 * sorts it; everything else (other types, enums, actions, the container, annotations outside those types) is left out.
 *
 *   node scripts/extract-graph-types.mjs <path to the full beta cleanMetadata.xml>   rewrite the extract
 *
 * Run by hand when refreshing the metadata (metadata/graph/README.md); nothing reads the full CSDL at run or test time.
 * test/metadata/wire-properties.test.ts checks that extracting from the committed v1.0 CSDL derives the same property
 * sets as the whole v1.0 CSDL, so the extraction drops nothing the derivation reads.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RENDERED_TYPES } from './derive-wire-properties.mjs';

export const EXTRACT_FILE = fileURLToPath(new URL('../metadata/graph/beta-calls-extract.xml', import.meta.url));

/** Every `<EntityType>` / `<ComplexType>` element of the `microsoft.graph` schema, by name, as its exact source text. */
function typeElements(csdl) {
  const schemaStart = csdl.indexOf('<Schema Namespace="microsoft.graph"');
  if (schemaStart < 0) throw new Error('no microsoft.graph schema in the CSDL');
  const schemaEnd = csdl.indexOf('</Schema>', schemaStart);
  const schema = csdl.slice(schemaStart, schemaEnd);
  const types = new Map();
  const element = /^ *<(EntityType|ComplexType) Name="(\w+)"[^>/]*(?:\/>\n|>\n[\s\S]*?^ *<\/\1>\n)/gm;
  for (const m of schema.matchAll(element)) types.set(m[2], { kind: m[1], text: m[0] });
  return { types, header: csdl.slice(0, csdl.indexOf('\n', schemaStart) + 1) };
}

/** The names of `names` and of all their base types (`BaseType="graph.x"`), as the CSDL defines them. */
function withBaseTypes(types, names) {
  const out = new Set();
  const visit = (name) => {
    const t = types.get(name);
    if (!t) throw new Error(`microsoft.graph.${name} is not a type in the CSDL`);
    if (out.has(name)) return;
    out.add(name);
    const base = /BaseType="(?:graph|microsoft\.graph)\.(\w+)"/.exec(t.text.slice(0, t.text.indexOf('>')));
    if (base) visit(base[1]);
  };
  for (const n of names) visit(n);
  return out;
}

/** The extract of `csdl` (CSDL XML text): the named types and their bases, in a schema of their own. */
export function extractTypes(csdl, names = RENDERED_TYPES) {
  const text = csdl.replace(/^\uFEFF/, '');
  const { types, header } = typeElements(text);
  const kept = [...withBaseTypes(types, names)].map((n) => ({ name: n, ...types.get(n) }));
  const byName = (a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1);
  const group = (kind) =>
    kept
      .filter((t) => t.kind === kind)
      .sort(byName)
      .map((t) => t.text);
  return [
    header,
    ...group('ComplexType'),
    ...group('EntityType'),
    '    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n',
  ].join('');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const source = process.argv[2];
  if (!source) {
    console.error('usage: node scripts/extract-graph-types.mjs <path to clean_beta_metadata/cleanMetadata.xml>');
    process.exit(2);
  }
  writeFileSync(EXTRACT_FILE, extractTypes(readFileSync(source, 'utf8')));
}
