/**
 * participant: invite refused with 400: bodies that are not JSON objects, wrong types, and every documented invite
 * rule (spec 1.4). Each answer is Graph's envelope naming the offending property, and the call is left untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteUser, MEETING_A, MEETING_B, startConformance, TENANT, USERS, type Conformance } from '../fixture.js';
import { DEFAULT_INSTANCE_ID } from '../../../src/sim/default-world.js';
import { expectRefused, invitePath, send, serviceHosted, type ExpectedError } from './helpers.js';

const phone = (id: string): Record<string, unknown> => ({
  identity: {
    '@odata.type': '#microsoft.graph.identitySet',
    phone: { '@odata.type': '#microsoft.graph.identity', id },
  },
});
const bad = (target: string, message?: string | RegExp, named?: string | null): ExpectedError => ({
  status: 400,
  code: 'BadRequest',
  target,
  ...(message !== undefined ? { message } : {}),
  ...(named !== undefined ? { named } : {}),
});

describe('invite: 400 Bad Request', () => {
  let c: Conformance;
  let meeting: string;
  let p2p: string;

  beforeAll(async () => {
    c = await startConformance((w) => {
      for (const u of w.tenants[0]!.users) if (u.id === USERS.nora) u.answer = { action: 'noAnswer', afterMs: 60_000 };
    });
    meeting = await c.joinMeeting(MEETING_A);
    p2p = await c.incomingCall(USERS.testUser);
    await c.answer(p2p);
  });
  afterAll(async () => {
    await c.close();
  });

  describe('the body is not a JSON object', () => {
    it.each([
      ['malformed JSON', '{"participants": [}]'],
      ['unquoted keys', '{participants: []}'],
      ['truncated JSON', `{"participants":[{"identity":{"user":{"id":"${USERS.adele}"`],
    ])('%s → 400 naming the body', async (_name, text) => {
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: text },
        bad('body', /^The request body is not valid JSON: /),
      );
    });

    it.each([
      ['an array', JSON.stringify([inviteUser(USERS.adele)])],
      ['a string', JSON.stringify('participants')],
      ['a number', '42'],
    ])('%s → 400 "must be a JSON object"', async (_name, text) => {
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: text },
        bad('body', 'The request body must be a JSON object.'),
      );
    });

    it('JSON null → 400 "a JSON request body is required"', async () => {
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: 'null' },
        bad('body', 'A JSON request body is required.'),
      );
    });
  });

  describe('wrong types', () => {
    it.each([
      ['participants a string', { participants: 'adele' }, 'participants', 'participants must be of type array.'],
      [
        'participants[0].identity a string',
        { participants: [{ identity: USERS.adele }] },
        'participants[0].identity',
        'participants[0].identity must be of type object.',
      ],
      [
        'clientContext a number',
        { participants: [inviteUser(USERS.adele)], clientContext: 42 },
        'clientContext',
        'clientContext must be of type string or null.',
      ],
      [
        'participants[0].hidden a string',
        { participants: [inviteUser(USERS.adele, { hidden: 'true' })] },
        'participants[0].hidden',
        'participants[0].hidden must be of type boolean or null.',
      ],
      ['participants[0] null', { participants: [null] }, 'participants[0]', 'participants[0] must be of type object.'],
      [
        'participants[0].identity empty',
        { participants: [{ identity: {} }] },
        'participants[0].identity',
        'participants[0].identity names no user, phone or other endpoint.',
      ],
      [
        'participants[1].identity.user.id a number',
        { participants: [inviteUser(USERS.adele), { identity: { user: { id: 7 } } }] },
        'participants[1].identity.user.id',
        /^participants\[1\]\.identity\.user\.id must be of type string/,
      ],
    ])('%s → 400 naming it', async (_name, body, target, message) => {
      await expectRefused(c, meeting, { path: invitePath(meeting), body }, bad(target, message));
    });
  });

  describe('participants', () => {
    it('missing → 400 "participants is required."', async () => {
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: { clientContext: 'no participants' } },
        bad('participants', 'participants is required.'),
      );
    });

    it('an empty object body → 400 "participants is required."', async () => {
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: {} },
        bad('participants', 'participants is required.'),
      );
    });

    it('empty → 400', async () => {
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: { participants: [] } },
        bad('participants', /at least one participant/),
      );
    });

    it('6 participants (at most 5) → 400', async () => {
      const six = [USERS.adele, USERS.alex, USERS.diego, USERS.megan, USERS.heidi, USERS.testUser].map((id) =>
        inviteUser(id),
      );
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: { participants: six } },
        bad('participants', /At most 5 participants.*got 6/),
      );
    });

    it('an entry without identity → 400 naming participants[0].identity', async () => {
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: { participants: [{ hidden: false }] } },
        bad('participants[0].identity', 'participants[0].identity is required.'),
      );
    });

    it('2 participants into a peer-to-peer call → 400', async () => {
      const res = await expectRefused(
        c,
        p2p,
        { path: invitePath(p2p), body: { participants: [inviteUser(USERS.adele), inviteUser(USERS.alex)] } },
        // The message says "more than one participant" but not the property name `participants` (reported).
        bad('participants', /more than one participant.*peer-to-peer/, null),
      );
      expect(res.body.error.message).toMatch(/only supported for group calls/);
    });

    it('2 participants into a group call without chatInfo → 400', async () => {
      const created = await send(c, 'POST', '/v1.0/communications/calls', {
        '@odata.type': '#microsoft.graph.call',
        callbackUri: c.bot.url,
        requestedModalities: ['audio'],
        mediaConfig: serviceHosted,
        targets: [inviteUser(USERS.megan), inviteUser(USERS.heidi)],
        tenantId: TENANT,
      });
      expect(created.status, created.text).toBe(201);
      const group: string = created.body.id;
      await c.bot.waitFor(
        (n) => n.item.resourceUrl === `/communications/calls/${group}` && n.item.resourceData?.state === 'established',
        { description: 'group call established' },
      );
      expect(created.body.chatInfo ?? null).toBeNull();
      await expectRefused(
        c,
        group,
        { path: invitePath(group), body: { participants: [inviteUser(USERS.adele), inviteUser(USERS.alex)] } },
        bad('participants', /more than one participant.*chatInfo/, null),
      );
    });

    it('the same identity twice in one request → 400 naming the second', async () => {
      await expectRefused(
        c,
        meeting,
        {
          path: invitePath(meeting),
          body: {
            participants: [inviteUser(USERS.diego), inviteUser(USERS.alex), inviteUser(USERS.diego.toUpperCase())],
          },
        },
        bad('participants[2].identity', /same participant as participants\[0\]/),
      );
    });

    it('an identity already in the call → 400', async () => {
      const call = await c.joinMeeting(MEETING_B);
      const since = c.bot.notifications.length;
      const ok = await send(c, 'POST', invitePath(call), { participants: [inviteUser(USERS.adele)] });
      expect(ok.status, ok.text).toBe(200);
      await c.bot.waitFor(
        (n) =>
          n.item.changeType === 'deleted' &&
          n.item.resourceData?.id === ok.body.id &&
          n.item.resourceData?.status === 'Completed',
        { since },
      );
      const res = await expectRefused(
        c,
        call,
        { path: invitePath(call), body: { participants: [inviteUser(USERS.adele)] } },
        bad('participants[0].identity', /already in this call/),
      );
      expect(res.body.error.message).toContain('participant ');
    });

    it('a user who is still being invited → 400', async () => {
      const call = await c.joinMeeting(MEETING_B);
      // Nora rings for a minute in this file's world: she stays `inviting` for the whole test.
      const ok = await send(c, 'POST', invitePath(call), { participants: [inviteUser(USERS.nora)] });
      expect(ok.status, ok.text).toBe(200);
      await expectRefused(
        c,
        call,
        { path: invitePath(call), body: { participants: [inviteUser(USERS.nora)] } },
        bad('participants[0].identity', /already being invited into this call/),
      );
    });
  });

  describe('clientContext', () => {
    it('257 characters → 400', async () => {
      await expectRefused(
        c,
        meeting,
        {
          path: invitePath(meeting),
          body: { participants: [inviteUser(USERS.megan)], clientContext: 'x'.repeat(257) },
        },
        bad('clientContext', /257 characters; at most 256/),
      );
    });

    it('256 characters → 200, echoed', async () => {
      const call = await c.joinMeeting(MEETING_B);
      const res = await send(c, 'POST', invitePath(call), {
        participants: [inviteUser(USERS.megan)],
        clientContext: 'y'.repeat(256),
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body.clientContext).toBe('y'.repeat(256));
    });
  });

  describe('phone numbers', () => {
    it.each(['12345', '+0123', '+1 425 555', '+1425555010O', '+1234567890123456'])(
      '%s is not E.164 → 400',
      async (number) => {
        await expectRefused(
          c,
          meeting,
          { path: invitePath(meeting), body: { participants: [phone(number)] } },
          bad('participants[0].identity.phone.id', /is not an E\.164 number/),
        );
      },
    );

    it('names the index of the offending participant', async () => {
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: { participants: [phone('+12345678901'), phone('12345')] } },
        bad('participants[1].identity.phone.id', /'12345' is not an E\.164 number/),
      );
    });
  });

  describe('bots cannot be invited', () => {
    it.each([
      ['application', { application: { id: '29fcd0a1-1b0a-4f2d-9b91-3d3c2a3b6f77', displayName: 'Other bot' } }],
      ['applicationInstance', { applicationInstance: { id: DEFAULT_INSTANCE_ID, displayName: 'Calling Bot' } }],
    ])('an %s identity → 400', async (key, identity) => {
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: { participants: [{ identity }] } },
        bad(
          `participants[0].identity.${key}`,
          `participants[0].identity.${key} is a bot; inviting another bot into a meeting or group call isn't allowed.`,
        ),
      );
    });
  });

  describe('replacesCallId and participantId', () => {
    it('replacesCallId naming an unknown call, single participant → 400', async () => {
      await expectRefused(
        c,
        meeting,
        {
          path: invitePath(meeting),
          body: {
            participants: [inviteUser(USERS.testUser, { replacesCallId: '2f1a0b00-0000-4000-8000-00000000dead' })],
          },
        },
        bad('participants[0].replacesCallId', /2f1a0b00-0000-4000-8000-00000000dead was not found/),
      );
    });

    it('replacesCallId naming a meeting without participantId → 400', async () => {
      const other = await c.joinMeeting(MEETING_B);
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: { participants: [inviteUser(USERS.testUser, { replacesCallId: other })] } },
        bad('participants[0].replacesCallId', /must name a peer-to-peer call/),
      );
    });

    it('moving a participantId that is not in the source meeting → 400', async () => {
      const source = await c.joinMeeting(MEETING_B);
      await expectRefused(
        c,
        meeting,
        {
          path: invitePath(meeting),
          body: {
            participants: [
              inviteUser(USERS.adele, {
                replacesCallId: source,
                participantId: '0c0ffee0-0000-4000-8000-000000000000',
              }),
            ],
          },
        },
        bad('participants[0].participantId', /0c0ffee0-0000-4000-8000-000000000000 is not in call/),
      );
    });
  });
});
