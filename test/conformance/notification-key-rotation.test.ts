/**
 * Guarantee 4, notification keys: a bot that validates every notification against Switchboard's OpenID
 * configuration and JWKS keeps accepting notifications across a key rotation (POST
 * /_switchboard/notification-keys/rotate): the JWT's kid names the new key, and during the overlap window the JWKS
 * publishes both keys, so a notification signed just before the rotation still verifies.
 */
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP, inviteUser, MEETING_A, startConformance, USERS, type Conformance } from './fixture.js';

const bearer = (h: unknown): string => String(h).replace(/^Bearer /, '');

describe('guarantee 4: notifications verify across a signing key rotation', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  async function control(
    method: string,
    path: string,
  ): Promise<{ current: { kid: string }; previous: { kid: string; unpublishedDateTime: string }[] }> {
    const res = await fetch(`${c.server.httpUrl}/_switchboard/${path}`, { method });
    expect(res.status).toBe(200);
    return (await res.json()) as never;
  }

  async function published(): Promise<JWK[]> {
    const res = await fetch(`${c.server.httpUrl}/.well-known/notification-keys`);
    return ((await res.json()) as { keys: JWK[] }).keys;
  }

  it('the bot accepts every notification before and after the rotation; the kid changes; both keys are published', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const before = c.bot.notifications.length;
    expect(before).toBeGreaterThan(0);
    const oldKid = (await control('GET', 'notification-keys')).current.kid;
    const oldToken = bearer(c.bot.notifications.at(-1)!.headers.authorization);
    expect(decodeProtectedHeader(oldToken).kid).toBe(oldKid);

    const rotated = await control('POST', 'notification-keys/rotate');
    const newKid = rotated.current.kid;
    expect(newKid).not.toBe(oldKid);
    expect(rotated.previous.map((p) => p.kid)).toEqual([oldKid]);
    expect((await published()).map((k) => k.kid)).toEqual([newKid, oldKid]);

    // A notification signed with the old key just before the rotation still verifies against today's JWKS.
    const { payload } = await jwtVerify(oldToken, createLocalJWKSet({ keys: await published() }), {
      audience: APP,
      issuer: 'https://api.botframework.com',
    });
    expect(payload.aud).toBe(APP);

    const invited = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.adele)],
    });
    expect(invited.status, invited.text).toBe(200);
    await c.bot.waitFor(
      (n) =>
        n.item.changeType === 'deleted' &&
        n.item.resourceUrl === `/communications/calls/${callId}/operations/${invited.body.id}`,
      { since: before },
    );
    const after = c.bot.notifications.slice(before);
    expect(after.length).toBeGreaterThan(0);
    expect(after.map((n) => decodeProtectedHeader(bearer(n.headers.authorization)).kid)).toEqual(
      after.map(() => newKid),
    );
    expect(c.bot.notifications.every((n) => n.verified)).toBe(true);
    expect(c.bot.problems).toEqual([]);
  });
});
