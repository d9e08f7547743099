/**
 * Create-call and answer bodies refused with 400; bound-action names (case, namespace); Graph calling paths this
 * version does not serve (501, saying so) and unknown action segments (400).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteUser, MEETING_A, ORGANIZER, startConformance, TENANT, USERS, type Conformance } from '../fixture.js';
import {
  callPath,
  expectGraphError,
  expectRefused,
  expectUnchanged,
  invitePath,
  quietSnapshot,
  send,
  serviceHosted,
  type ExpectedError,
} from './helpers.js';

const bad = (target: string, message?: string | RegExp): ExpectedError => ({
  status: 400,
  code: 'BadRequest',
  target,
  ...(message !== undefined ? { message } : {}),
});
const notImplemented = (method: string, path: string): ExpectedError => ({
  status: 501,
  code: 'NotImplemented',
  message: `Switchboard does not implement ${method} ${path} yet. See the README's supported-surface table.`,
  target: null,
});

describe('create call, answer, actions', () => {
  let c: Conformance;
  let meeting: string;
  let incoming: string;

  const joinBody = (): Record<string, unknown> => ({
    '@odata.type': '#microsoft.graph.call',
    callbackUri: c.bot.url,
    requestedModalities: ['audio'],
    mediaConfig: serviceHosted,
    chatInfo: { '@odata.type': '#microsoft.graph.chatInfo', threadId: MEETING_A, messageId: '0' },
    meetingInfo: {
      '@odata.type': '#microsoft.graph.organizerMeetingInfo',
      organizer: { '@odata.type': '#microsoft.graph.identitySet', user: { id: ORGANIZER, tenantId: TENANT } },
    },
    tenantId: TENANT,
  });

  beforeAll(async () => {
    c = await startConformance();
    meeting = await c.joinMeeting(MEETING_A);
    incoming = await c.incomingCall(USERS.testUser);
  });
  afterAll(async () => {
    await c.close();
  });

  describe('create call: 400', () => {
    it.each([
      [
        'callbackUri missing',
        (b: Record<string, unknown>) => delete b.callbackUri,
        bad('callbackUri', 'callbackUri is required.'),
      ],
      [
        'mediaConfig missing',
        (b: Record<string, unknown>) => delete b.mediaConfig,
        bad('mediaConfig', 'mediaConfig is required.'),
      ],
      [
        'callbackUri http://example.com',
        (b: Record<string, unknown>) => (b.callbackUri = 'http://example.com'),
        bad('callbackUri', /must be an https URL.*'http:\/\/example\.com'/),
      ],
      [
        'callbackUri not a URL',
        (b: Record<string, unknown>) => (b.callbackUri = 'bot/api/calls'),
        bad('callbackUri', /is not an absolute URL/),
      ],
      [
        'requestedModalities with an unknown value',
        (b: Record<string, unknown>) => (b.requestedModalities = ['audio', 'hologram']),
        bad('requestedModalities[1]', /^requestedModalities\[1\] must be one of audio, video/),
      ],
      [
        'requestedModalities a string',
        (b: Record<string, unknown>) => (b.requestedModalities = 'audio'),
        bad('requestedModalities', 'requestedModalities must be of type array or null.'),
      ],
      [
        'mediaConfig of an unknown @odata.type',
        (b: Record<string, unknown>) => (b.mediaConfig = { '@odata.type': '#microsoft.graph.fancyMediaConfig' }),
        bad('mediaConfig.@odata.type'),
      ],
    ])('%s', async (_name, change, expected) => {
      const body = joinBody();
      change(body);
      // Nothing may be created: no new leg in the meeting (its roster and notifications) and no notification anywhere.
      await expectRefused(c, meeting, { path: '/v1.0/communications/calls', body }, expected);
    });

    it('the unchanged body is accepted (201), so each 400 above is about its one property', async () => {
      const res = await send(c, 'POST', '/v1.0/communications/calls', joinBody());
      expect(res.status, res.text).toBe(201);
      await c.bot.waitFor(
        (n) =>
          n.item.resourceUrl === `/communications/calls/${res.body.id}` && n.item.resourceData?.state === 'established',
      );
    });
  });

  describe('answer and reject: 400', () => {
    it('answer without acceptedModalities → 400, the call still incoming', async () => {
      const before = await quietSnapshot(c, incoming);
      expect(before.call.body).toMatchObject({ state: 'incoming' });
      const res = await send(c, 'POST', `${callPath(incoming)}/answer`, {
        callbackUri: c.bot.url,
        mediaConfig: serviceHosted,
      });
      expectGraphError(res, bad('acceptedModalities', 'acceptedModalities is required.'));
      await expectUnchanged(c, incoming, before);
    });

    it('answer with empty acceptedModalities → 400', async () => {
      await expectRefused(
        c,
        incoming,
        { path: `${callPath(incoming)}/answer`, body: { acceptedModalities: [], mediaConfig: serviceHosted } },
        bad('acceptedModalities', /^acceptedModalities must NOT have fewer than 1 items/),
      );
    });

    it('answer with an http callbackUri to a remote host → 400', async () => {
      await expectRefused(
        c,
        incoming,
        {
          path: `${callPath(incoming)}/answer`,
          body: {
            callbackUri: 'http://example.com/api/calls',
            acceptedModalities: ['audio'],
            mediaConfig: serviceHosted,
          },
        },
        bad('callbackUri', /must be an https URL/),
      );
    });

    it('reject with an unknown reason → 400', async () => {
      await expectRefused(
        c,
        incoming,
        { path: `${callPath(incoming)}/reject`, body: { reason: 'tired' } },
        bad('reason', /reason must be one of none, busy, forbidden; got 'tired'/),
      );
    });
  });

  describe('bound-action names', () => {
    it.each(['MICROSOFT.GRAPH.INVITE', 'Invite'])('POST …/participants/%s invites (200)', async (segment) => {
      const who = segment === 'Invite' ? USERS.alex : USERS.diego;
      const res = await send(c, 'POST', `${callPath(meeting)}/participants/${segment}`, {
        participants: [inviteUser(who)],
        clientContext: segment,
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({
        '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
        status: 'Running',
        clientContext: segment,
      });
      expect(res.headers.get('location')).toBe(`${c.server.httpUrl}${callPath(meeting)}/operations/${res.body.id}`);
      await c.bot.waitFor(
        (n) =>
          n.item.changeType === 'deleted' &&
          n.item.resourceData?.id === res.body.id &&
          n.item.resourceData?.status === 'Completed',
      );
    });
  });

  describe('not implemented: 501 saying so', () => {
    it('POST /beta/…/participants/{pid}/reportSyntheticMedia', async () => {
      const roster = await send(c, 'GET', `${callPath(meeting)}/participants`);
      const pid: string = roster.body.value[0].id;
      const path = `/beta/communications/calls/${meeting}/participants/${pid}/reportSyntheticMedia`;
      await expectRefused(c, meeting, { path, body: {} }, notImplemented('POST', path));
    });

    it('GET …/calls/{id}/contentSharingSessions', async () => {
      const path = `${callPath(meeting)}/contentSharingSessions`;
      await expectRefused(c, meeting, { method: 'GET', path }, notImplemented('GET', path));
    });

    it.each(['configureMixer', 'lowerAllHands'])('POST /beta/…/participants/%s', async (action) => {
      const path = `/beta/communications/calls/${meeting}/participants/${action}`;
      await expectRefused(c, meeting, { path, body: {} }, notImplemented('POST', path));
    });
  });

  describe('unknown action segments: 400', () => {
    it.each(['configureMixer', 'reportSyntheticMedia'])(
      'POST /v1.0/…/%s: a beta-only action is an unknown segment on v1.0',
      async (action) => {
        const roster = await send(c, 'GET', `${callPath(meeting)}/participants`);
        const path =
          action === 'configureMixer'
            ? `${callPath(meeting)}/participants/${action}`
            : `${callPath(meeting)}/participants/${roster.body.value[0].id as string}/${action}`;
        await expectRefused(
          c,
          meeting,
          { path, body: {} },
          { status: 400, code: 'BadRequest', message: `Resource not found for the segment '${action}'.` },
        );
      },
    );

    it('POST …/calls/{id}/fooBar', async () => {
      await expectRefused(
        c,
        meeting,
        { path: `${callPath(meeting)}/fooBar`, body: {} },
        { status: 400, code: 'BadRequest', message: "Resource not found for the segment 'fooBar'." },
      );
    });

    it('POST …/participants/fooBar: fooBar could be a participant id, which serves GET and DELETE: 405', async () => {
      const path = `${callPath(meeting)}/participants/fooBar`;
      await expectRefused(
        c,
        meeting,
        { path, body: { participants: [inviteUser(USERS.megan)] } },
        {
          status: 405,
          code: 'Request_BadRequest',
          message: `Specified HTTP method is not allowed for the request target. POST ${path}: this path serves GET, HEAD, DELETE.`,
        },
      );
    });

    it('POST …/calls/{id}/participants (a navigation, not an action): 405 Allow GET, HEAD', async () => {
      const res = await send(c, 'POST', `${callPath(meeting)}/participants`, {
        participants: [inviteUser(USERS.megan)],
      });
      expectGraphError(res, { status: 405, code: 'Request_BadRequest', target: null });
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    });

    it('a namespaced invite with a typo is not an invite', async () => {
      await expectRefused(
        c,
        meeting,
        {
          path: invitePath(meeting).replace(/invite$/, 'microsoft.graph.invitee'),
          body: { participants: [inviteUser(USERS.megan)] },
        },
        {
          status: 400,
          code: 'BadRequest',
          message: "Resource not found for the segment 'microsoft.graph.invitee'.",
        },
      );
    });
  });
});
