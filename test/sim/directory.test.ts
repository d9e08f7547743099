/** The world file: parsed with errors that name the offending path; lookups are case-insensitive. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultWorld, DEFAULT_APP_ID, DEFAULT_TENANT_ID } from '../../src/sim/default-world.js';
import { Directory, loadWorldFile, parseWorld, WorldFileError } from '../../src/sim/directory.js';

const minimal = { tenants: [{ id: 't1', apps: [{ id: 'a1', secret: 's' }] }] };

describe('world file', () => {
  it('fills defaults for a minimal world', () => {
    const w = parseWorld(minimal);
    expect(w.establishMs).toBe(200);
    // Absent means on (spec 9.10); an explicit value is kept.
    expect(w.endCallOnCallbackFailure).toBeUndefined();
    expect(parseWorld({ ...minimal, endCallOnCallbackFailure: false }).endCallOnCallbackFailure).toBe(false);
    expect(w.tenants[0]).toMatchObject({
      id: 't1',
      displayName: 'Tenant',
      users: [],
      phones: [],
      meetings: [],
      defaultPhoneAnswer: { action: 'accept', afterMs: 1000 },
    });
    expect(w.tenants[0]!.apps[0]).toMatchObject({
      id: 'a1',
      displayName: 'a1',
      roles: [],
      callbackUri: null,
      instances: [],
    });
  });

  it.each([
    [{}, 'world.tenants must list at least one tenant'],
    [{ tenants: [{ apps: [] }] }, 'world.tenants[0].id must be a non-empty string'],
    [{ tenants: [{ id: 't', apps: [{ id: 'a' }] }] }, 'world.tenants[0].apps[0].secret must be a non-empty string'],
    [
      { tenants: [{ id: 't', users: [{ id: 'u', answer: { action: 'maybe' } }] }] },
      'world.tenants[0].users[0].answer.action must be one of accept, decline, busy, noAnswer',
    ],
    [
      { tenants: [{ id: 't', users: [{ id: 'u', answer: { afterMs: -1 } }] }] },
      'world.tenants[0].users[0].answer.afterMs must be a non-negative number',
    ],
    [
      { tenants: [{ id: 't', phones: [{ number: '555-1234' }] }] },
      'world.tenants[0].phones[0].number must be an E.164 number',
    ],
    [
      { tenants: [{ id: 't', apps: [{ id: 'a', secret: 's', instances: [{ id: 'i', phoneNumber: '12' }] }] }] },
      'world.tenants[0].apps[0].instances[0].phoneNumber must be an E.164 number',
    ],
    [
      {
        tenants: [
          {
            id: 't',
            apps: [
              { id: 'a', secret: 's' },
              { id: 'a', secret: 's' },
            ],
          },
        ],
      },
      'world.tenants[0].apps[1].id a is listed twice',
    ],
    [{ ...minimal, endCallOnCallbackFailure: 'no' }, 'world.endCallOnCallbackFailure must be a boolean'],
  ])('rejects %j naming the path', (doc, message) => {
    expect(() => parseWorld(doc)).toThrow(WorldFileError);
    expect(() => parseWorld(doc)).toThrow(message);
  });

  it('loads a file and reports unreadable or invalid JSON files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-world-'));
    writeFileSync(join(dir, 'ok.json'), JSON.stringify(minimal));
    writeFileSync(join(dir, 'bad.json'), '{"tenants": [');
    expect(loadWorldFile(join(dir, 'ok.json')).tenants[0]!.id).toBe('t1');
    expect(() => loadWorldFile(join(dir, 'bad.json'))).toThrow(/is not valid JSON/);
    expect(() => loadWorldFile(join(dir, 'missing.json'))).toThrow(/cannot read world file/);
  });

  it('the default world parses back to itself and looks ids up case-insensitively', () => {
    const w = defaultWorld();
    expect(parseWorld(JSON.parse(JSON.stringify(w)))).toEqual(w);
    const d = new Directory(w);
    expect(d.app(DEFAULT_APP_ID.toUpperCase())?.tenant.id).toBe(DEFAULT_TENANT_ID);
    expect(d.user('278405A3-F568-4B3E-B684-009193463064')?.user.displayName).toBe('Adele Vance');
    expect(d.phoneAnswer(DEFAULT_TENANT_ID, '+14255550199').action).toBe('busy');
    expect(d.phoneAnswer(DEFAULT_TENANT_ID, '+19999999999')).toEqual({ action: 'accept', afterMs: 1500 });
    expect(d.meetingByJoinId(DEFAULT_TENANT_ID, '7654321')?.id).toBe('meeting-incident-bridge');
  });
});

describe('world file: later actions (then)', () => {
  const base = (then: unknown) => ({
    tenants: [{ id: 't1', users: [{ id: 'u1', then }], phones: [{ number: '+14255550100', then }] }],
  });

  it('parses then on users and phones, and names the offending path of a bad one', () => {
    const w = parseWorld(
      base([
        { afterMs: 1000, action: 'pressTones', tones: '1#' },
        { afterMs: 0, action: 'hangUp' },
      ]),
    );
    expect(w.tenants[0]!.users[0]!.then).toEqual([
      { afterMs: 1000, action: 'pressTones', tones: '1#' },
      { afterMs: 0, action: 'hangUp' },
    ]);
    expect(w.tenants[0]!.phones[0]!.then).toHaveLength(2);
    expect(() => parseWorld(base([{ afterMs: 1, action: 'sing' }]))).toThrow(
      new WorldFileError(
        'world.tenants[0].users[0].then[0].action must be one of hangUp, leave, mute, unmute, hold, resume, pressTones',
      ),
    );
    expect(() => parseWorld(base([{ action: 'mute' }]))).toThrow(
      /users\[0\]\.then\[0\]\.afterMs must be a non-negative number/,
    );
    expect(() => parseWorld(base([{ afterMs: 1, action: 'pressTones', tones: 'x' }]))).toThrow(
      /then\[0\]\.tones must be DTMF digits/,
    );
    expect(() => parseWorld(base([{ afterMs: 1, action: 'mute', tones: '1' }]))).toThrow(
      /then\[0\]\.tones is only for pressTones/,
    );
    expect(() => parseWorld(base({}))).toThrow(/then must be an array/);
  });
});

describe('world file: consentedApps (multi-tenant apps)', () => {
  const world = {
    tenants: [
      { id: 'home', apps: [{ id: 'bot', secret: 's', roles: ['Calls.JoinGroupCall.All'] }] },
      { id: 'Consents', consentedApps: ['BOT'] },
      { id: 'stranger' },
    ],
  };

  it('lets a tenant that consented know an app of another tenant, with the home registration', () => {
    const d = new Directory(parseWorld(world));
    expect(d.appInTenant('bot', 'home')?.tenant.id).toBe('home');
    expect(d.appInTenant('bot', 'consents')?.app).toBe(d.app('bot')?.app);
    expect(d.appInTenant('bot', 'stranger')).toBeUndefined();
    expect(d.appInTenant('bot', 'nowhere')).toBeUndefined();
    expect(d.appInTenant('nobody', 'consents')).toBeUndefined();
    // Absent stays absent, so a world parses back to itself.
    expect(parseWorld(world).tenants[2]).not.toHaveProperty('consentedApps');
  });

  it.each([
    [{ tenants: [{ id: 't', consentedApps: [7] }] }, 'world.tenants[0].consentedApps must be app ids (strings)'],
    [
      { tenants: [{ id: 't', consentedApps: ['ghost'] }] },
      'world.tenants[0].consentedApps[0]: no tenant registers an app ghost',
    ],
    [
      { tenants: [{ id: 't', apps: [{ id: 'a', secret: 's' }], consentedApps: ['a'] }] },
      'world.tenants[0].consentedApps[0]: app a is registered in this tenant already',
    ],
  ])('refuses %j', (doc, message) => {
    expect(() => parseWorld(doc)).toThrow(new WorldFileError(message));
  });

  it("the default world's docs tenants consent to the default app", () => {
    const d = new Directory(defaultWorld());
    for (const t of defaultWorld().tenants.slice(1))
      expect(d.appInTenant(DEFAULT_APP_ID, t.id)?.tenant.id).toBe(DEFAULT_TENANT_ID);
  });
});
