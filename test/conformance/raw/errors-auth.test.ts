/**
 * 401 for tokens Switchboard did not issue (none, garbage, another key, unsigned), 403 7504 for a missing calling
 * role, 403 7505 across tenants, and 404 8522 for another app's call in the same tenant. A refused request changes
 * nothing: not even a DELETE from the wrong tenant or app.
 */
import { readFileSync } from 'node:fs';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBot, type FakeBot } from '../../helpers/fake-bot.js';
import {
  inviteUser,
  MEETING_A,
  MEETING_B,
  ORGANIZER,
  startConformance,
  TENANT,
  USERS,
  type Conformance,
} from '../fixture.js';
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

const JOIN_ONLY_APP = { id: '6a1e7c3b-0b5e-4b8e-9f0a-2c4d6e8fa001', secret: 'join-only-secret' };
const OTHER_TENANT = '3c2b1a09-8f7e-4d6c-a5b4-93827160fed0';
const OTHER_TENANT_APP = { id: '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7002', secret: 'fabrikam-secret' };
const OTHER_TENANT_USER = 'f0f0f0f0-1111-4222-8333-944455556666';

const unauthenticated = (message: string | RegExp): ExpectedError => ({
  status: 401,
  code: 'InvalidAuthenticationToken',
  message,
  target: null,
});
const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('authentication and authorization errors', () => {
  let c: Conformance;
  let meeting: string;
  /** Receives the join-only app's notifications, verifying them for that app. */
  let joinOnlyBot: FakeBot;

  beforeAll(async () => {
    c = await startConformance((w) => {
      const contoso = w.tenants[0]!;
      contoso.apps.push({
        id: JOIN_ONLY_APP.id,
        displayName: 'Join-only bot',
        secret: JOIN_ONLY_APP.secret,
        roles: ['Calls.JoinGroupCall.All'],
        callbackUri: null,
        instances: [],
      });
      w.tenants.push({
        id: OTHER_TENANT,
        displayName: 'Fabrikam',
        defaultPhoneAnswer: { action: 'accept', afterMs: 40 },
        apps: [
          {
            id: OTHER_TENANT_APP.id,
            displayName: 'Fabrikam bot',
            secret: OTHER_TENANT_APP.secret,
            roles: [...contoso.apps[0]!.roles],
            callbackUri: null,
            instances: [],
          },
        ],
        users: [{ id: OTHER_TENANT_USER, displayName: 'Fabrikam Person', answer: { action: 'accept', afterMs: 40 } }],
        phones: [],
        meetings: [],
      });
    });
    joinOnlyBot = await startFakeBot({
      validateSchema: true,
      verify: {
        openIdConfigUrl: `${c.server.httpsUrl}/.well-known/OpenIdConfiguration`,
        appId: JOIN_ONLY_APP.id,
        ca: readFileSync(c.server.sb.caCertPath, 'utf8'),
      },
    });
    meeting = await c.joinMeeting(MEETING_A);
  });
  afterAll(async () => {
    await c.close();
    await joinOnlyBot.close();
  });

  describe('401 InvalidAuthenticationToken', () => {
    it('no Authorization header (GET and invite)', async () => {
      const before = await quietSnapshot(c, meeting);
      const get = await sendPlain(`${c.server.httpUrl}${callPath(meeting)}`, { method: 'GET' });
      expectGraphError(get, unauthenticated('Access token is empty.'));
      const invite = await sendPlain(`${c.server.httpUrl}${invitePath(meeting)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ participants: [inviteUser(USERS.adele)] }),
      });
      expectGraphError(invite, unauthenticated('Access token is empty.'));
      await expectUnchanged(c, meeting, before);
    });

    it.each([
      ['Bearer with no token', 'Bearer', 'Access token is empty.'],
      ['a Basic credential', `Basic ${Buffer.from('app:secret').toString('base64')}`, 'Access token is empty.'],
      ['Bearer garbage', 'Bearer garbage', 'CompactToken parsing failed with error code: 80049217'],
      ['Bearer three garbage segments', 'Bearer a.b.c', 'CompactToken parsing failed with error code: 80049217'],
    ])('%s', async (_name, authorization, message) => {
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: { participants: [inviteUser(USERS.adele)] }, headers: { authorization } },
        unauthenticated(message),
      );
    });

    it('a token with the same claims and kid, signed by another key', async () => {
      const real = await c.token();
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT(decodeJwt(real))
        .setProtectedHeader(decodeProtectedHeader(real) as { alg: 'RS256' })
        .sign(privateKey);
      expect(decodeProtectedHeader(forged)).toEqual(decodeProtectedHeader(real));
      await expectRefused(
        c,
        meeting,
        {
          path: invitePath(meeting),
          body: { participants: [inviteUser(USERS.adele)] },
          headers: { authorization: `Bearer ${forged}` },
        },
        unauthenticated('Access token validation failure. Invalid signature.'),
      );
    });

    it('a token with the same claims, signed by another key under its own kid', async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      const kid = (await exportJWK(publicKey)).n!.slice(0, 16);
      const forged = await new SignJWT(decodeJwt(await c.token()))
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .sign(privateKey);
      await expectRefused(
        c,
        meeting,
        { method: 'DELETE', path: callPath(meeting), headers: { authorization: `Bearer ${forged}` } },
        unauthenticated(/signing key was not found/),
      );
    });

    it('an unsigned token (alg none) with the same claims', async () => {
      const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(decodeJwt(await c.token()))}.`;
      await expectRefused(
        c,
        meeting,
        {
          path: invitePath(meeting),
          body: { participants: [inviteUser(USERS.adele)] },
          headers: { authorization: `Bearer ${unsigned}` },
        },
        unauthenticated("Access token validation failure. Signing algorithm 'none' is not accepted; only RS256 is."),
      );
    });

    it('a real token whose claims were edited (exp in the past) fails its signature', async () => {
      const real = await c.token();
      const [header, , signature] = real.split('.');
      const edited = `${header}.${b64({ ...decodeJwt(real), exp: Math.floor(Date.now() / 1000) - 3600 })}.${signature}`;
      await expectRefused(
        c,
        meeting,
        { method: 'GET', path: `${callPath(meeting)}/participants`, headers: { authorization: `Bearer ${edited}` } },
        unauthenticated('Access token validation failure. Invalid signature.'),
      );
    });
  });

  describe('403 7504: the app lacks Calls.InitiateGroupCall.All', () => {
    it('a join-only app may join a meeting but not invite into it', async () => {
      const token = await c.server.token({ appId: JOIN_ONLY_APP.id, secret: JOIN_ONLY_APP.secret });
      const auth = { authorization: `Bearer ${token}` };
      const created = await send(
        c,
        'POST',
        '/v1.0/communications/calls',
        {
          callbackUri: joinOnlyBot.url,
          requestedModalities: ['audio'],
          mediaConfig: serviceHosted,
          chatInfo: { threadId: MEETING_B, messageId: '0' },
          meetingInfo: {
            '@odata.type': '#microsoft.graph.organizerMeetingInfo',
            organizer: { user: { id: ORGANIZER, tenantId: TENANT } },
          },
          tenantId: TENANT,
        },
        auth,
      );
      expect(created.status, created.text).toBe(201);
      const call: string = created.body.id;
      await joinOnlyBot.waitFor((n) => n.item.resourceUrl === `/communications/calls/${call}/participants`, {
        description: 'join-only app in the meeting',
      });

      const before = await quietSnapshot(c, call, token);
      expect(before.call.body).toMatchObject({ state: 'established' });
      const res = await send(c, 'POST', invitePath(call), { participants: [inviteUser(USERS.adele)] }, auth);
      expectGraphError(res, {
        status: 403,
        code: '7504',
        message:
          /^Insufficient enterprise tenant permissions, cannot access this API\. .*Calls\.InitiateGroupCall\.All/,
        target: null,
      });
      await expectUnchanged(c, call, before, token);
      expect(joinOnlyBot.problems).toEqual([]);
      expect(joinOnlyBot.notifications.every((n) => n.verified)).toBe(true);
    });
  });

  describe('403 7505: tenant mismatch', () => {
    it('inviting a user with the tenantId of another tenant', async () => {
      const user = {
        ...inviteUser(USERS.adele),
        identity: { user: { id: USERS.adele, tenantId: OTHER_TENANT, identityProvider: 'AAD' } },
      };
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: { participants: [user] } },
        {
          status: 403,
          code: '7505',
          message:
            /^Request authorization tenant mismatch\. participants\[0\]\.identity\.user\.tenantId names another tenant/,
          target: 'participants[0].identity.user.tenantId',
        },
      );
    });

    it("inviting a user of another tenant's directory", async () => {
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: { participants: [inviteUser(USERS.megan), inviteUser(OTHER_TENANT_USER)] } },
        {
          status: 403,
          code: '7505',
          message:
            /^Request authorization tenant mismatch\. participants\[1\]\.identity\.user\.id names another tenant/,
          target: 'participants[1].identity.user.id',
        },
      );
    });

    it("another tenant's app cannot read, invite into or hang up this tenant's call", async () => {
      const token = await c.server.token({
        tenantId: OTHER_TENANT,
        appId: OTHER_TENANT_APP.id,
        secret: OTHER_TENANT_APP.secret,
      });
      const auth = { authorization: `Bearer ${token}` };
      const mismatch: ExpectedError = {
        status: 403,
        code: '7505',
        message: 'Request authorization tenant mismatch.',
        target: null,
      };
      await expectRefused(c, meeting, { method: 'GET', path: callPath(meeting), headers: auth }, mismatch);
      await expectRefused(
        c,
        meeting,
        { method: 'GET', path: `${callPath(meeting)}/participants`, headers: auth },
        mismatch,
      );
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: { participants: [inviteUser(OTHER_TENANT_USER)] }, headers: auth },
        mismatch,
      );
      await expectRefused(c, meeting, { method: 'DELETE', path: callPath(meeting), headers: auth }, mismatch);
    });
  });

  describe('another app of the same tenant: 404 8522', () => {
    it('cannot see, invite into, answer or hang up the call', async () => {
      const token = await c.server.token({ appId: JOIN_ONLY_APP.id, secret: JOIN_ONLY_APP.secret });
      const auth = { authorization: `Bearer ${token}` };
      const notFound: ExpectedError = { status: 404, code: '8522', message: 'Call not found.', target: null };
      await expectRefused(c, meeting, { method: 'GET', path: callPath(meeting), headers: auth }, notFound);
      await expectRefused(
        c,
        meeting,
        { method: 'GET', path: `${callPath(meeting)}/participants`, headers: auth },
        notFound,
      );
      await expectRefused(c, meeting, { method: 'DELETE', path: callPath(meeting), headers: auth }, notFound);
      await expectRefused(
        c,
        meeting,
        { path: invitePath(meeting), body: { participants: [inviteUser(USERS.adele)] }, headers: auth },
        notFound,
      );
      await expectRefused(
        c,
        meeting,
        {
          path: `${callPath(meeting)}/answer`,
          body: { acceptedModalities: ['audio'], mediaConfig: serviceHosted },
          headers: auth,
        },
        notFound,
      );
    });
  });
});
