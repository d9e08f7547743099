/**
 * The committed calls OpenAPI document is exactly what scripts/derive-calls-openapi.mjs makes of the committed CSDL,
 * so the script cannot rot unnoticed and a refreshed CSDL comes with its refreshed OpenAPI (metadata/graph/README.md).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONVERTER_OPTIONS, CSDL_FILE, OPENAPI_FILE, deriveCallsOpenApi, reduceToCalls, serializeOpenApi, type OpenApiDocument,
} from '../../scripts/derive-calls-openapi.mjs';

describe('metadata/graph/calls.openapi3.json', () => {
  // Converting the 3.5 MB CSDL takes about 1.5 s of CPU; the timeout only leaves room for a busy machine.
  it('is byte for byte what the derivation script makes of v1.0-cleanMetadata.xml', { timeout: 120_000 }, () => {
    const { document } = deriveCallsOpenApi(readFileSync(CSDL_FILE, 'utf8'));
    const derived = serializeOpenApi(document);
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    if (derived !== committed) {
      // A structural diff first: readable, unlike two 380 KB strings.
      expect(JSON.parse(derived)).toEqual(JSON.parse(committed));
    }
    expect(derived === committed, 'same JSON but not the same bytes: check serializeOpenApi').toBe(true);
    expect(Object.keys(document.paths)).toHaveLength(30);
  });
});

describe('reduceToCalls', () => {
  const namespaces = new Map([['microsoft.graph', 'microsoft.graph'], ['graph', 'microsoft.graph']]);
  const stub = (name: string) => ({ type: 'object', description: `Stub for ${name}`, nullable: true });
  const action = (returns: unknown) => ({ post: { responses: { 200: { content: { 'application/json': { schema: returns } } } } } });
  const converted = (paths: Record<string, Record<string, unknown>>): OpenApiDocument => ({
    openapi: '3.0.3',
    info: { title: 't' },
    servers: [{ url: 'https://127.0.0.1:4010/v1.0' }],
    paths,
    components: { schemas: { 'microsoft.graph.inviteParticipantsOperation': { type: 'object' } } },
  });

  it('keeps only the calls paths, in REST form under the base path, with stubbed return types as $refs', () => {
    const reduced = reduceToCalls(converted({
      '/communications/calls': { get: {} },
      "/communications/calls('{id_1}')/participants/graph.invite": action(stub('graph.inviteParticipantsOperation')),
      "/communications/calls('{id_1}')/participants('{id_2}')/microsoft.graph.mute": action({ type: 'string' }),
      '/communications/callRecords': { get: {} },
      '/communications/onlineMeetings': { get: {} },
    }), namespaces);
    expect(reduced.servers).toEqual([{ url: `http://${CONVERTER_OPTIONS.host}` }]);
    expect(Object.keys(reduced.paths)).toEqual([
      '/v1.0/communications/calls',
      '/v1.0/communications/calls/{id_1}/participants/invite',
      '/v1.0/communications/calls/{id_1}/participants/{id_2}/mute',
    ]);
    expect(reduced.paths['/v1.0/communications/calls/{id_1}/participants/invite']).toEqual(action({
      allOf: [{ $ref: '#/components/schemas/microsoft.graph.inviteParticipantsOperation' }],
      nullable: true,
    }));
    expect(reduced.paths['/v1.0/communications/calls/{id_1}/participants/{id_2}/mute']).toEqual(action({ type: 'string' }));
  });

  it('refuses OData syntax it has no REST form for rather than passing it through', () => {
    expect(() => reduceToCalls(converted({ "/communications/calls('{id_1}')/participants/$count": { get: {} } }), namespaces))
      .toThrow(/no REST form for the path segment '\$count'/);
    expect(() => reduceToCalls(converted({ "/communications/calls(id='{id_1}',x='{x}')": { get: {} } }), namespaces))
      .toThrow(/no REST form/);
  });

  it('refuses a stub whose type has no schema to refer to, and a qualifier it does not know', () => {
    expect(() => reduceToCalls(converted({ '/communications/calls/graph.x': action(stub('graph.noSuchOperation')) }), namespaces))
      .toThrow(/'microsoft.graph.noSuchOperation' has no schema/);
    expect(() => reduceToCalls(converted({ '/communications/calls/graph.x': action(stub('other.op')) }), namespaces))
      .toThrow(/'other.op' has no known namespace/);
  });
});
