/**
 * An app without a calling registration (Teams channel with calling off; world `apps[].callingRegistered: false`)
 * gets Graph's real 7503 shape (spec 6.3, 9.6): 403, code `UnknownError`, and a message that is itself a JSON
 * string. Nothing is created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CALLING_ROLES } from '../../../src/sim/default-world.js';
import { inviteUser, MEETING_A, startConformance, USERS, type Conformance } from '../fixture.js';
import { expectRefused, serviceHosted } from './helpers.js';

const UNREGISTERED = { id: '7503a0a0-0000-4000-8000-000000007503', secret: 'no-calling-secret' };

describe('403 7503: application not registered for calling', () => {
  let c: Conformance;
  let meeting: string;
  beforeAll(async () => {
    c = await startConformance((w) => {
      w.tenants[0]!.apps.push({
        id: UNREGISTERED.id,
        displayName: 'No calling',
        secret: UNREGISTERED.secret,
        roles: [...ALL_CALLING_ROLES],
        callbackUri: null,
        instances: [],
        callingRegistered: false,
      });
    });
    meeting = await c.joinMeeting(MEETING_A);
  });
  afterAll(async () => {
    await c.close();
  });

  it('POST /communications/calls → 403 UnknownError with the JSON-string message; no call, no notification', async () => {
    const token = await c.server.token({ appId: UNREGISTERED.id, secret: UNREGISTERED.secret });
    const res = await expectRefused(
      c,
      meeting,
      {
        path: '/v1.0/communications/calls',
        body: {
          callbackUri: c.bot.url,
          requestedModalities: ['audio'],
          mediaConfig: serviceHosted,
          targets: [inviteUser(USERS.adele)],
        },
        headers: { authorization: `Bearer ${token}` },
      },
      {
        status: 403,
        code: 'UnknownError',
        message:
          '{"errorCode":"7503","message":"Application is not registered in our store.","instanceAnnotations":[]}',
        target: null,
      },
    );
    expect(JSON.parse(res.body.error.message)).toMatchObject({ errorCode: '7503' });
  });
});
