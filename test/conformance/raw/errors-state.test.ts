/**
 * 404 (unknown or ended calls, participants, operations), 409 (actions that conflict with the call's state),
 * 415 (bodies that are not application/json) and 413 (bodies over the limit), each in Graph's envelope and
 * leaving the call untouched.
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
  sendPlain,
  serviceHosted,
  type ExpectedError,
} from './helpers.js';

const UNKNOWN = '4f1c8a2e-0000-4000-8000-0000000c0de5';
const callNotFound: ExpectedError = { status: 404, code: '8522', message: 'Call not found.', target: null };
const answerBody = {
  callbackUri: 'https://bot.example/api/calls',
  acceptedModalities: ['audio'],
  mediaConfig: serviceHosted,
};

describe('404, 409, 415, 413', () => {
  let c: Conformance;
  let meeting: string;

  beforeAll(async () => {
    c = await startConformance();
    meeting = await c.joinMeeting(MEETING_A);
  });
  afterAll(async () => {
    await c.close();
  });

  describe('404 Not Found', () => {
    it.each([
      ['GET', UNKNOWN, undefined],
      ['DELETE', UNKNOWN, undefined],
      ['GET', `${UNKNOWN}/participants`, undefined],
      ['POST', `${UNKNOWN}/participants/invite`, { participants: [inviteUser(USERS.adele)] }],
      ['POST', `${UNKNOWN}/answer`, answerBody],
      ['POST', `${UNKNOWN}/reject`, { reason: 'busy' }],
      ['GET', `${UNKNOWN}/operations/${UNKNOWN}`, undefined],
    ])('%s an unknown call (…/calls/%s) → 404 8522 "Call not found."', async (method, rest, body) => {
      // The known meeting stands in for "everything else": nothing anywhere may change.
      await expectRefused(c, meeting, { method, path: `/v1.0/communications/calls/${rest}`, body }, callNotFound);
    });

    it('an unknown participant → 404', async () => {
      const res = await expectRefused(
        c,
        meeting,
        { method: 'GET', path: `${callPath(meeting)}/participants/${UNKNOWN}` },
        { status: 404, code: 'itemNotFound', message: `Participant ${UNKNOWN} was not found in call ${meeting}.` },
      );
      expect(res.body.error.message).toContain(UNKNOWN);
    });

    it('an unknown operation → 404', async () => {
      await expectRefused(
        c,
        meeting,
        { method: 'GET', path: `${callPath(meeting)}/operations/${UNKNOWN}` },
        { status: 404, code: 'itemNotFound', message: `Operation ${UNKNOWN} was not found in call ${meeting}.` },
      );
    });

    it("another call's operation → 404", async () => {
      const other = await c.joinMeeting(MEETING_A);
      const op = await send(c, 'POST', invitePath(other), { participants: [inviteUser(USERS.heidi)] });
      expect(op.status, op.text).toBe(200);
      await c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === op.body.id);
      await expectRefused(
        c,
        meeting,
        { method: 'GET', path: `${callPath(meeting)}/operations/${op.body.id}` },
        { status: 404, code: 'itemNotFound', message: new RegExp(`^Operation ${op.body.id} was not found`) },
      );
    });

    it('a call after DELETE → 404 8522 for every request, and no further notification', async () => {
      const call = await c.joinMeeting(MEETING_A);
      const hangUp = await send(c, 'DELETE', callPath(call));
      expect(hangUp.status, hangUp.text).toBe(204);
      await c.bot.waitFor(
        (n) => n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${call}`,
        { description: 'hung-up call deleted' },
      );
      const before = await quietSnapshot(c, call);
      expect(before.call.status).toBe(404);
      expect(before.participants.status).toBe(404);
      for (const [method, path, body] of [
        ['GET', callPath(call), undefined],
        ['DELETE', callPath(call), undefined],
        ['GET', `${callPath(call)}/participants`, undefined],
        ['POST', invitePath(call), { participants: [inviteUser(USERS.adele)] }],
        ['POST', `${callPath(call)}/answer`, answerBody],
      ] as const) {
        expectGraphError(await send(c, method, path, body), callNotFound);
      }
      await expectUnchanged(c, call, before);
    });
  });

  describe('409 Conflict', () => {
    it('answering an established call', async () => {
      await expectRefused(
        c,
        meeting,
        { path: `${callPath(meeting)}/answer`, body: answerBody },
        {
          status: 409,
          code: 'Conflict',
          message: `Only an incoming call can be answered; call ${meeting} is established.`,
        },
      );
    });

    it('answering an incoming call twice', async () => {
      const p2p = await c.incomingCall(USERS.testUser);
      await c.answer(p2p);
      await expectRefused(
        c,
        p2p,
        { path: `${callPath(p2p)}/answer`, body: answerBody },
        { status: 409, code: 'Conflict', message: /is established\.$/ },
      );
    });

    it('rejecting an established call', async () => {
      await expectRefused(
        c,
        meeting,
        { path: `${callPath(meeting)}/reject`, body: { reason: 'busy' } },
        { status: 409, code: 'Conflict', message: /^Only an incoming call can be rejected .*is established\.$/ },
      );
    });
  });

  describe('415 Unsupported Media Type', () => {
    const body = JSON.stringify({ participants: [inviteUser(USERS.megan)] });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'application/jsonp'])(
      'Content-Type: %s',
      async (type) => {
        await expectRefused(
          c,
          meeting,
          { path: invitePath(meeting), body, headers: { 'content-type': type } },
          {
            status: 415,
            code: 'UnsupportedMediaType',
            message: `Content-Type '${type}' is not supported; send application/json.`,
            target: 'Content-Type',
            named: 'Content-Type',
          },
        );
      },
    );

    it('a body with no Content-Type', async () => {
      const before = await quietSnapshot(c, meeting);
      const res = await sendPlain(`${c.server.httpUrl}${invitePath(meeting)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await c.token()}` },
        // Bytes, so fetch adds no Content-Type of its own (a string would get text/plain).
        body: new TextEncoder().encode(body),
      });
      expectGraphError(res, {
        status: 415,
        code: 'UnsupportedMediaType',
        message: "Content-Type '(none)' is not supported; send application/json.",
        target: 'Content-Type',
      });
      await expectUnchanged(c, meeting, before);
    });

    it('application/json with a charset is accepted', async () => {
      const res = await send(c, 'POST', invitePath(meeting), body, {
        'content-type': 'application/json; charset=utf-8',
      });
      expect(res.status, res.text).toBe(200);
      await c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === res.body.id);
    });
  });

  describe('413 Payload Too Large', () => {
    it('a body over the limit (1 MiB by default)', async () => {
      const limit = c.server.sb.config.bodyLimit;
      expect(limit).toBe(1024 * 1024);
      const body = JSON.stringify({ participants: [inviteUser(USERS.diego)], clientContext: 'x'.repeat(limit) });
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body },
        {
          status: 413,
          code: 'RequestEntityTooLarge',
          message: `The request body is larger than ${limit} bytes.`,
          target: 'body',
        },
      );
    });

    it('a body just under the limit reaches validation (400 clientContext, not 413)', async () => {
      const limit = c.server.sb.config.bodyLimit;
      const shell = JSON.stringify({ participants: [inviteUser(USERS.diego)], clientContext: '' });
      const body = JSON.stringify({
        participants: [inviteUser(USERS.diego)],
        clientContext: 'x'.repeat(limit - shell.length),
      });
      expect(Buffer.byteLength(body)).toBe(limit);
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body },
        { status: 400, code: 'BadRequest', target: 'clientContext' },
      );
    });
  });
});

describe('409: inviting into a call that is still establishing', () => {
  let c: Conformance;

  beforeAll(async () => {
    // Joins take ten seconds here: the call stays `establishing` for the whole test.
    c = await startConformance((w) => {
      w.establishMs = 10_000;
    });
  });
  afterAll(async () => {
    await c.close();
  });

  it('→ 409, and nothing is invited', async () => {
    const created = await send(c, 'POST', '/v1.0/communications/calls', {
      callbackUri: c.bot.url,
      requestedModalities: ['audio'],
      mediaConfig: serviceHosted,
      chatInfo: { threadId: MEETING_A, messageId: '0' },
      meetingInfo: {
        '@odata.type': '#microsoft.graph.organizerMeetingInfo',
        organizer: { user: { id: ORGANIZER, tenantId: TENANT } },
      },
      tenantId: TENANT,
    });
    expect(created.status, created.text).toBe(201);
    const call: string = created.body.id;
    await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${call}` && n.item.resourceData?.state === 'establishing',
    );
    const before = await quietSnapshot(c, call);
    expect(before.call.body).toMatchObject({ state: 'establishing' });
    const res = await send(c, 'POST', invitePath(call), { participants: [inviteUser(USERS.adele)] });
    expectGraphError(res, {
      status: 409,
      code: 'Conflict',
      message: `Participants can only be invited into an established call; call ${call} is establishing.`,
    });
    await expectUnchanged(c, call, before);
  });
});
