/**
 * Beta-only properties refused under /beta with Graph's envelope naming the property, and nothing created or
 * changed: `ringingTimeoutInSeconds` outside 1–115, an `endpointType` that is not an endpointType member.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteUser, MEETING_A, startConformance, USERS, type Conformance } from '../fixture.js';
import { expectRefused, serviceHosted } from './helpers.js';

describe('beta-only properties: 400', () => {
  let c: Conformance;
  let meeting: string;
  beforeAll(async () => {
    c = await startConformance();
    meeting = await c.joinMeeting(MEETING_A);
  });
  afterAll(async () => {
    await c.close();
  });

  const p2p = (ringingTimeoutInSeconds: unknown): Record<string, unknown> => ({
    callbackUri: c.bot.url,
    requestedModalities: ['audio'],
    mediaConfig: serviceHosted,
    targets: [inviteUser(USERS.adele)],
    ringingTimeoutInSeconds,
  });

  it.each([116, 0, 12.5, '30'])(
    'POST /beta/communications/calls with ringingTimeoutInSeconds %j → 400, no call created (nothing notified anywhere)',
    async (value) => {
      await expectRefused(
        c,
        meeting,
        { path: '/beta/communications/calls', body: p2p(value) },
        { status: 400, code: 'BadRequest', target: 'ringingTimeoutInSeconds', message: /from 1 to 115/ },
      );
    },
  );

  it('115 is the largest accepted value', async () => {
    const res = await c.raw('POST', '/beta/communications/calls', p2p(115));
    expect(res.status).toBe(201);
    expect(res.body.ringingTimeoutInSeconds).toBe(115);
  });

  it('POST /beta/…/participants/invite with endpointType "fax" → 400 naming participants[1].endpointType, nobody invited', async () => {
    await expectRefused(
      c,
      meeting,
      {
        path: `/beta/communications/calls/${meeting}/participants/invite`,
        body: { participants: [inviteUser(USERS.megan), inviteUser(USERS.diego, { endpointType: 'fax' })] },
      },
      { status: 400, code: 'BadRequest', target: 'participants[1].endpointType' },
    );
  });
});
