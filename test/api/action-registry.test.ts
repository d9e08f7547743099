/**
 * The action registry (src/api/actions/): one entry per Graph action, found by its path segment as Graph matches
 * it, complete against Graph's v1.0 metadata, and typed bodies derived from the schemas that validate them.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ACTIONS, actionNames, findAction } from '../../src/api/actions/registry.js';
import type { FromSchema } from '../../src/http/from-schema.js';
import type {
  answerBodySchema,
  inviteBodySchema,
  updateRecordingStatusBodySchema,
} from '../../src/api/schemas/bodies.js';

const CSDL = readFileSync(new URL('../../metadata/graph/v1.0-cleanMetadata.xml', import.meta.url), 'utf8');

/** The actions Graph's v1.0 metadata binds to a call, a participant or the participants collection. */
function v1Actions(): { name: string; on: string }[] {
  const found: { name: string; on: string }[] = [];
  for (const m of CSDL.matchAll(/<Action Name="(\w+)" IsBound="true"[^>]*>([\s\S]*?)<\/Action>/g)) {
    const binding = /Name="bindingParameter" Type="([^"]+)"/.exec(m[2]!)?.[1];
    const on =
      binding === 'graph.call'
        ? 'call'
        : binding === 'graph.participant'
          ? 'participant'
          : binding === 'Collection(graph.participant)'
            ? 'participants'
            : null;
    if (on) found.push({ name: m[1]!, on });
  }
  return found;
}

describe('the action registry', () => {
  it("has every action Graph's v1.0 metadata binds to a call or participant, on v1.0, under Graph's own spelling", () => {
    const metadata = v1Actions();
    expect(metadata.length).toBeGreaterThanOrEqual(19);
    for (const { name, on } of metadata) {
      const entry = ACTIONS.find((a) => a.on === on && a.name === name);
      expect(entry, `${on} action ${name}`).toBeDefined();
      expect(entry!.versions, `${on} action ${name}`).toContain('v1.0');
    }
  });

  it('finds an action by its segment in any case, with or without microsoft.graph., only on its versions', () => {
    expect(findAction('call', 'keepAlive', 'v1.0')?.name).toBe('keepAlive');
    expect(findAction('call', 'MICROSOFT.GRAPH.KEEPALIVE', 'beta')?.name).toBe('keepAlive');
    expect(findAction('participants', 'microsoft.graph.invite', 'v1.0')?.name).toBe('invite');
    // admitFromLobby and removeFromLobby are beta only: v1.0's metadata has no such action.
    expect(findAction('participant', 'admitFromLobby', 'beta')?.name).toBe('admitFromLobby');
    expect(findAction('participant', 'admitFromLobby', 'v1.0')).toBeNull();
    expect(findAction('participant', 'removeFromLobby', 'v1.0')).toBeNull();
    // A name is bound to one thing: invite is on the collection, not on a call.
    expect(findAction('call', 'invite', 'v1.0')).toBeNull();
    expect(findAction('participant', 'constructor', 'beta')).toBeNull();
    expect(findAction('call', '__proto__', 'beta')).toBeNull();
  });

  it('gives each binding its action names, served and not yet served', () => {
    expect(actionNames('participant')).toEqual(
      new Set(['mute', 'startholdmusic', 'stopholdmusic', 'admitfromlobby', 'removefromlobby', 'reportsyntheticmedia']),
    );
    expect(actionNames('call')).toContain('addlargegalleryview');
    expect(actionNames('participants')).toContain('invite');
  });

  it('compiles every body schema, and a served action with no body reads none', () => {
    const ajv = new Ajv({ strict: false });
    for (const a of ACTIONS) {
      if (!a.served) continue;
      if (a.served.bodySchema === null) {
        expect(a.name).toBe('keepAlive');
        continue;
      }
      expect(() => ajv.compile(a.served!.bodySchema!), a.name).not.toThrow();
    }
  });

  it('derives each body type from its schema (no cast: a wrong property type does not compile)', () => {
    type Invite = FromSchema<typeof inviteBodySchema>;
    expectTypeOf<Invite['participants'][number]['replacesCallId']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Invite['clientContext']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<FromSchema<typeof updateRecordingStatusBodySchema>['status']>().toEqualTypeOf<
      'notRecording' | 'recording' | 'failed'
    >();
    type Answer = FromSchema<typeof answerBodySchema>;
    expectTypeOf<Answer['acceptedModalities']>().toEqualTypeOf<
      ('audio' | 'video' | 'videoBasedScreenSharing' | 'data' | 'unknownFutureValue' | 'unknown')[]
    >();
    expectTypeOf<Answer['mediaConfig']['blob']>().toEqualTypeOf<string | null | undefined>();
    // @ts-expect-error mediaConfig is required by the schema
    const missing: Answer = { acceptedModalities: ['audio'] };
    expect(missing).toBeDefined();
  });
});
