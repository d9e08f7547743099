/** The world file's `faults` list: defaults filled, every error names the offending path. */
import { describe, expect, it } from 'vitest';
import { parseWorld, WorldFileError } from '../../src/sim/directory.js';

const minimal = { tenants: [{ id: 't1', apps: [{ id: 'a1', secret: 's' }] }] };
const result = { code: 410, subcode: 301004, message: 'Client Media Error. DiagCode: 410#301004.@' };

describe('world faults', () => {
  it('parses a fault, filling when {} and afterMs 0; no faults key means none', () => {
    expect(parseWorld(minimal).faults).toBeUndefined();
    expect(parseWorld({ ...minimal, faults: [{ on: 'invite', result }] }).faults).toEqual([
      { on: 'invite', when: {}, result, afterMs: 0 },
    ]);
    const w = parseWorld({
      ...minimal,
      faults: [{ on: 'invite', when: { mediaConfig: 'appHosted', replacesCallId: false }, result, afterMs: 30000 }],
    });
    expect(w.faults).toEqual([
      { on: 'invite', when: { mediaConfig: 'appHosted', replacesCallId: false }, result, afterMs: 30000 },
    ]);
  });

  it.each([
    [{}, 'world.faults must be an array'],
    [[1], 'world.faults[0] must be an object'],
    [[{ on: 'answer', result }], 'world.faults[0].on must be "invite"'],
    [[{ on: 'invite', result, extra: 1 }], 'world.faults[0].extra is not a known property'],
    [[{ on: 'invite', when: [], result }], 'world.faults[0].when must be an object'],
    [[{ on: 'invite', when: { media: 'x' }, result }], 'world.faults[0].when.media is not a known property'],
    [
      [{ on: 'invite', when: { mediaConfig: 'AppHostedMediaConfig' }, result }],
      'world.faults[0].when.mediaConfig must be one of appHosted, serviceHosted',
    ],
    [
      [{ on: 'invite', when: { replacesCallId: 'yes' }, result }],
      'world.faults[0].when.replacesCallId must be a boolean',
    ],
    [[{ on: 'invite' }], 'world.faults[0].result must be an object'],
    [
      [{ on: 'invite', result: { ...result, code: 41 } }],
      'world.faults[0].result.code must be an integer from 100 to 999',
    ],
    [
      [{ on: 'invite', result: { ...result, subcode: 1.5 } }],
      'world.faults[0].result.subcode must be a non-negative integer',
    ],
    [
      [{ on: 'invite', result: { ...result, message: '' } }],
      'world.faults[0].result.message must be a non-empty string',
    ],
    [[{ on: 'invite', result, afterMs: '30s' }], 'world.faults[0].afterMs must be a non-negative number'],
  ])('rejects faults %j naming the path', (faults, message) => {
    expect(() => parseWorld({ ...minimal, faults })).toThrow(WorldFileError);
    expect(() => parseWorld({ ...minimal, faults })).toThrow(message);
  });
});
