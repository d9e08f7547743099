import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBot, type FakeBot } from './fake-bot.js';

const APP_ID = '0efc74f7-41c3-47a4-8775-7259bfef4241';
const TENANT = '1fdd12d0-4620-44ed-baec-459b611f84b2';
const ISSUER = 'https://api.botframework.com';

const envelope = (...items: { changeType: string; resourceUrl: string; resourceData?: unknown }[]) => ({
  '@odata.type': '#microsoft.graph.commsNotifications',
  value: items.map((i) => ({
    '@odata.type': '#microsoft.graph.commsNotification',
    resource: i.resourceUrl.replace('/communications', '/app'),
    ...i,
  })),
});
const callUpdated = (state: string) =>
  envelope({
    changeType: 'updated',
    resourceUrl: '/communications/calls/c1',
    resourceData: { '@odata.type': '#microsoft.graph.call', id: 'c1', state },
  });

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  messageId: string | null = randomUUID(),
): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(messageId ? { 'x-microsoft-skype-message-id': messageId } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return res.status;
}

// A tiny local issuer: OpenID config → JWKS with one RS256 key, like Skype's /.well-known/OpenIdConfiguration.
interface Issuer {
  server: Server;
  configUrl: string;
  sign(claims: Record<string, unknown>, opts?: { key?: CryptoKey; kid?: string; expSeconds?: number }): Promise<string>;
}
async function startIssuer(): Promise<Issuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server = createServer((req, res) => {
    const base = `http://${req.headers.host}`;
    const body =
      req.url === '/v1/.well-known/OpenIdConfiguration'
        ? { issuer: ISSUER, jwks_uri: `${base}/v1/keys`, id_token_signing_alg_values_supported: ['RS256'] }
        : req.url === '/v1/keys'
          ? { keys: [jwk] }
          : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    configUrl: `http://127.0.0.1:${port}/v1/.well-known/OpenIdConfiguration`,
    sign: (claims, o = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'k1', typ: 'JWT' })
        .setIssuedAt()
        .setNotBefore('0s')
        .setExpirationTime(Math.floor(Date.now() / 1000) + (o.expSeconds ?? 3600))
        .sign(o.key ?? privateKey),
  };
}

describe('fake bot without verification', () => {
  let bot: FakeBot;
  beforeAll(async () => {
    bot = await startFakeBot({ validateSchema: true });
  });
  afterAll(() => bot.close());

  it('records one notification per value entry, in order, and answers 202', async () => {
    expect(bot.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/calls$/);
    const roster = {
      changeType: 'updated',
      resourceUrl: '/communications/calls/c1/participants',
      resourceData: [{ '@odata.type': '#microsoft.graph.participant', id: 'p1' }],
    };
    const status = await post(bot.url, envelope(callUpdated('establishing').value[0]!, roster));
    expect(status).toBe(202);
    expect(bot.notifications.map((n) => [n.item.changeType, n.item.resourceUrl, n.index])).toEqual([
      ['updated', '/communications/calls/c1', 0],
      ['updated', '/communications/calls/c1/participants', 1],
    ]);
    expect(bot.notifications[0]!.messageId).toBe(bot.notifications[1]!.messageId);
    expect(bot.notifications[0]).toMatchObject({ verified: true, redelivery: false, status: 202, delivery: 0 });
    expect(bot.problems).toEqual([]);
  });

  it('waitFor sees past and future notifications; waitForCount collects n', async () => {
    const past = await bot.waitFor((n) => n.item.resourceData?.state === 'establishing');
    expect(past.index).toBe(0);
    const since = bot.notifications.length;
    const future = bot.waitFor((n) => n.item.resourceData?.state === 'established', { since });
    const two = bot.waitForCount(2, { since, predicate: (n) => n.item.resourceUrl === '/communications/calls/c1' });
    await post(`${bot.url}/c1`, callUpdated('established'));
    await post(bot.url, callUpdated('terminating'));
    expect((await future).path).toBe('/api/calls/c1');
    expect((await two).map((n) => n.item.resourceData.state)).toEqual(['established', 'terminating']);
  });

  it('times out with a listing of what was received', async () => {
    const err = await bot
      .waitFor((n) => n.item.changeType === 'deleted', { timeoutMs: 50, description: 'call c1 deleted' })
      .catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('waiting for call c1 deleted; received 4:');
    expect((err as Error).message).toContain(
      '#1 updated /communications/calls/c1/participants roster(1) [answered 202]',
    );
    expect((err as Error).message).toContain('#3 updated /communications/calls/c1 state=terminating [answered 202]');
  });
});

describe('fake bot message ids, statuses and problems', () => {
  let bot: FakeBot;
  afterEach(() => bot.close());

  it('lets tests choose the answer, treats a same-id retry after 5xx as a redelivery, flags one after 2xx', async () => {
    let answer = 503;
    bot = await startFakeBot({ respond: () => answer });
    const id = randomUUID();
    expect(await post(bot.url, callUpdated('established'), {}, id)).toBe(503);
    answer = 202;
    expect(await post(bot.url, callUpdated('established'), {}, id)).toBe(202);
    expect(bot.notifications.map((n) => [n.status, n.redelivery])).toEqual([
      [503, false],
      [202, true],
    ]);
    expect(bot.problems).toEqual([]);
    await post(bot.url, callUpdated('established'), {}, id);
    await post(bot.url, callUpdated('established'), {}, null);
    expect(bot.problems).toEqual([
      `delivery 2: message id ${id} was already delivered and accepted (202)`,
      'delivery 3: no x-microsoft-skype-message-id header',
    ]);
  });

  it('records schema failures and malformed bodies as problems', async () => {
    bot = await startFakeBot({ validateSchema: true });
    const op = envelope({
      changeType: 'deleted',
      resourceUrl: '/communications/calls/c1/operations/o1',
      resourceData: { '@odata.type': '#microsoft.graph.inviteParticipantsOperation', id: 'o1', status: 'completed' },
    });
    expect(await post(bot.url, op)).toBe(202);
    expect(await post(bot.url, { nope: true })).toBe(400);
    expect(bot.problems).toHaveLength(2);
    expect(bot.problems[0]).toContain('/value/0/resourceData/status: must be equal to one of the allowed values');
    expect(bot.problems[1]).toBe('delivery 1: body has no value array');
  });

  it('close() rejects pending waits', async () => {
    bot = await startFakeBot();
    const pending = bot.waitFor(() => false, { timeoutMs: 5_000 });
    await bot.close();
    await expect(pending).rejects.toThrow(/closed/);
    bot = await startFakeBot(); // for afterEach
  });
});

describe('fake bot JWT verification (as the comms SDK validates)', () => {
  let issuer: Issuer;
  let bot: FakeBot;
  const claims = { aud: APP_ID, iss: ISSUER, tid: TENANT };

  beforeAll(async () => {
    issuer = await startIssuer();
    bot = await startFakeBot({ verify: { openIdConfigUrl: issuer.configUrl, appId: APP_ID } });
  });
  afterAll(async () => {
    await bot.close();
    await new Promise<void>((resolve) => issuer.server.close(() => resolve()));
  });

  it('accepts a valid RS256 token and exposes its claims', async () => {
    const token = await issuer.sign(claims);
    expect(await post(bot.url, callUpdated('established'), { authorization: `Bearer ${token}` })).toBe(202);
    const n = bot.notifications.at(-1)!;
    expect(n.verified).toBe(true);
    expect(n.tokenClaims).toMatchObject({ aud: APP_ID, tid: TENANT, iss: ISSUER });
  });

  it.each([
    ['no header', () => Promise.resolve(undefined), /Bearer/],
    ['wrong audience', () => issuer.sign({ ...claims, aud: 'someone-else' }), /aud/],
    ['wrong issuer', () => issuer.sign({ ...claims, iss: 'https://evil.example' }), /iss/],
    ['no tid', () => issuer.sign({ aud: APP_ID, iss: ISSUER }), /tid/],
    ['expired beyond the 5 min skew', () => issuer.sign(claims, { expSeconds: -600 }), /exp/],
    [
      'unknown key',
      async () => issuer.sign(claims, { key: (await generateKeyPair('RS256')).privateKey, kid: 'k2' }),
      /key|JWKS/i,
    ],
    [
      'signed by another key under the same kid',
      async () => issuer.sign(claims, { key: (await generateKeyPair('RS256')).privateKey }),
      /signature/,
    ],
  ])('answers 403 and records verified=false: %s', async (_name, token, reason) => {
    const t = await token();
    const before = bot.notifications.length;
    expect(await post(bot.url, callUpdated('established'), t ? { authorization: `Bearer ${t}` } : {})).toBe(403);
    const n = bot.notifications[before]!;
    expect(n).toMatchObject({ verified: false, status: 403 });
    expect(n.verifyError).toMatch(reason);
  });

  it('tolerates clock skew within 5 minutes', async () => {
    const token = await issuer.sign(claims, { expSeconds: -60 });
    expect(await post(bot.url, callUpdated('established'), { authorization: `Bearer ${token}` })).toBe(202);
  });
});
