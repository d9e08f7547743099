import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKeys, type SigningKeys } from '../../src/auth/keys.js';
import { NotificationSigner } from '../../src/auth/notification-signer.js';
import { manualClock } from '../../src/domain/clock.js';

const APP = '0efc74f7-41c3-47a4-8775-7259bfef4241';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
let keys: SigningKeys;

beforeAll(async () => {
  keys = await loadOrCreateSigningKeys(null);
});

describe('NotificationSigner', () => {
  it('signs what the comms SDK validates: RS256, kid, issuer, audience = app id, tid, lifetime', async () => {
    const signer = new NotificationSigner({
      key: keys.notification,
      issuer: 'https://api.botframework.com',
      clock: { now: () => Date.now() },
    });
    const jwt = await signer.sign(APP, TENANT);
    expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'RS256', kid: keys.notification.kid });
    const { payload } = await jwtVerify(jwt, createLocalJWKSet({ keys: [keys.notification.publicJwk] }), {
      issuer: ['https://graph.microsoft.com', 'https://api.botframework.com'],
      audience: APP,
      algorithms: ['RS256'],
    });
    expect(payload.tid).toBe(TENANT);
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload.nbf).toBe(payload.iat);
  });

  it('uses the configured issuer', async () => {
    const signer = new NotificationSigner({
      key: keys.notification,
      issuer: 'https://graph.microsoft.com',
      clock: { now: () => Date.now() },
    });
    expect(decodeJwt(await signer.sign(APP, TENANT)).iss).toBe('https://graph.microsoft.com');
  });

  it('reuses a token per (app, tenant) until five minutes before it expires', async () => {
    const clock = manualClock();
    const signer = new NotificationSigner({ key: keys.notification, issuer: 'https://api.botframework.com', clock });
    const first = await signer.sign(APP, TENANT);
    clock.advance(54 * 60_000);
    expect(await signer.sign(APP, TENANT)).toBe(first);
    expect(await signer.sign(APP, 'other-tenant')).not.toBe(first);
    expect(await signer.sign('other-app', TENANT)).not.toBe(first);
    clock.advance(60_001);
    const renewed = await signer.sign(APP, TENANT);
    expect(renewed).not.toBe(first);
    expect(decodeJwt(renewed).iat).toBe(Math.floor(clock.now() / 1000));
  });

  it('signs concurrent requests for the same pair once', async () => {
    const signer = new NotificationSigner({
      key: keys.notification,
      issuer: 'https://api.botframework.com',
      clock: manualClock(),
    });
    const all = await Promise.all(Array.from({ length: 20 }, () => signer.sign(APP, TENANT)));
    expect(new Set(all).size).toBe(1);
  });
});
