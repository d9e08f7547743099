/**
 * The README's walk-through works as written: its token request, group-call, meeting-join and invite bodies are
 * read from README.md (the blocks after `<!-- readme-test: … -->`) and sent verbatim to a server on the built-in
 * world — only the stand-in bot's callback URL (port 4200 in the README) and the server's origin are swapped for
 * the test's — and the notifications the README promises arrive. Its JWKS URL is the one the OpenID configuration
 * names, and its jose snippet verifies a real notification's token. Edit the README and this test follows.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USERS, defaultWorld } from '../src/sim/default-world.js';
import { startFakeBot, type FakeBot, type ReceivedNotification } from './helpers/fake-bot.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const README_CALLBACK = 'http://127.0.0.1:4200/callback';
const README_ORIGIN = 'https://127.0.0.1:4443';

/** The text right after `<!-- readme-test: name -->`: the fenced block's body, or the inline `code` that follows. */
function readmeSnippet(name: string): string {
  const at = README.indexOf(`<!-- readme-test: ${name} -->`);
  if (at < 0) throw new Error(`README.md has no <!-- readme-test: ${name} --> marker`);
  const rest = README.slice(at).split('\n').slice(1).join('\n');
  const fenced = /^\s*```\w*\n([\s\S]*?)\n\s*```/.exec(rest);
  if (fenced) return fenced[1]!;
  const inline = /`([^`]+)`/.exec(rest);
  if (!inline) throw new Error(`nothing after the ${name} marker`);
  return inline[1]!;
}

const readmeJson = (name: string): Record<string, unknown> =>
  JSON.parse(readmeSnippet(name)) as Record<string, unknown>;

describe('README walk-through, verbatim', () => {
  let server: TestServer;
  let bot: FakeBot;
  let token: string;

  beforeAll(async () => {
    // The built-in world as `npm start` loads it (real answer delays), on the virtual clock so the test moves time.
    server = await startTestServer(defaultWorld(), { virtual: true });
    bot = await startFakeBot({
      verify: {
        openIdConfigUrl: `${server.httpUrl}/.well-known/OpenIdConfiguration`,
        appId: defaultWorld().tenants[0]!.apps[0]!.id,
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await bot.close();
  });

  const advance = async (ms: number): Promise<void> => {
    const res = await fetch(`${server.httpUrl}/_switchboard/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ms }),
    });
    expect(res.status).toBe(200);
  };
  /** A README body as sent, with the stand-in bot's callback replaced by the test's bot. */
  const post = async (path: string, body: Record<string, unknown>) => {
    const text = JSON.stringify(body).replaceAll(README_CALLBACK, bot.url);
    const res = await fetch(`${server.httpUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: text,
    });
    return {
      status: res.status,
      location: res.headers.get('location'),
      body: (await res.json()) as Record<string, unknown>,
    };
  };
  const of =
    (callId: string, sub = '') =>
    (n: ReceivedNotification) =>
      n.item.resourceUrl === `/communications/calls/${callId}${sub}`;

  it("the token request: the curl command's form fields at its token endpoint", async () => {
    const curl = readmeSnippet('token').replace(/\\\n/g, ' ');
    const url = /https:\/\/\S+\/oauth2\/v2\.0\/token/.exec(curl)?.[0];
    expect(url).toBeDefined();
    const form = new URLSearchParams(
      [...curl.matchAll(/-d (\w+)=(\S+)/g)].map((m): [string, string] => [m[1]!, m[2]!]),
    );
    expect([...form.keys()].sort()).toEqual(['client_id', 'client_secret', 'grant_type', 'scope']);
    const res = await fetch(url!.replace(README_ORIGIN, server.httpUrl), { method: 'POST', body: form });
    expect(res.status).toBe(200);
    token = ((await res.json()) as { access_token: string }).access_token;
    expect(token).toBeTruthy();
  });

  it('the group-call body creates a group call; the invite body gets Megan in, notified', async () => {
    const created = await post('/v1.0/communications/calls', readmeJson('group-call'));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const callId = created.body.id as string;
    await advance(200); // establishMs
    await bot.waitFor((n) => of(callId)(n) && n.item.resourceData?.state === 'established');
    await advance(1000); // Adele and Alex answer after 1 s
    await bot.waitFor(
      (n) =>
        of(callId, '/participants')(n) &&
        (n.item.resourceData as { info: { identity: { user?: { id: string } } } }[]).some(
          (p) => p.info.identity.user?.id === DEFAULT_USERS.alex,
        ),
    );

    const since = bot.notifications.length;
    const invited = await post(`/v1.0/communications/calls/${callId}/participants/invite`, readmeJson('invite'));
    expect(invited.status, JSON.stringify(invited.body)).toBe(200);
    expect(invited.body).toMatchObject({
      '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
      status: 'Running',
    });
    expect(invited.location).toMatch(
      new RegExp(`/communications/calls/${callId}/operations/${invited.body.id as string}$`),
    );
    await advance(1000);
    const done = await bot.waitFor((n) => of(callId, `/operations/${invited.body.id as string}`)(n), { since });
    expect(done.item.changeType).toBe('deleted');
    expect(done.item.resourceData).toMatchObject({
      status: 'Completed',
      clientContext: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f',
    });
    await bot.waitFor(
      (n) =>
        of(callId, '/participants')(n) &&
        (n.item.resourceData as { info: { identity: { user?: { id: string } } } }[]).some(
          (p) => p.info.identity.user?.id === DEFAULT_USERS.megan,
        ),
      { since },
    );
    expect(bot.notifications.every((n) => n.verified)).toBe(true);
  });

  it('the meeting-join body joins the weekly sync; so does the join-meeting-id variant', async () => {
    const joined = await post('/v1.0/communications/calls', readmeJson('meeting-join'));
    expect(joined.status, JSON.stringify(joined.body)).toBe(201);
    await advance(200);
    await bot.waitFor((n) => of(joined.body.id as string)(n) && n.item.resourceData?.state === 'established');

    const { chatInfo: _chatInfo, ...rest } = readmeJson('meeting-join');
    const byId = { ...rest, ...(JSON.parse(`{${readmeSnippet('meeting-join-id')}}`) as Record<string, unknown>) };
    const second = await post('/v1.0/communications/calls', byId);
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect((second.body.chatInfo as { threadId: string }).threadId).toBe(
      (readmeJson('meeting-join').chatInfo as { threadId: string }).threadId,
    );
    await advance(200);
    await bot.waitFor((n) => of(second.body.id as string)(n) && n.item.resourceData?.state === 'established');
  });

  it('the JWKS URL is the jwks_uri of the OpenID configuration, and the jose snippet verifies a notification with it', async () => {
    const jwks = readmeSnippet('jwks');
    const config = (await (await fetch(`${server.httpUrl}/.well-known/OpenIdConfiguration`)).json()) as {
      jwks_uri: string;
    };
    expect(new URL(jwks).pathname).toBe(new URL(config.jwks_uri).pathname);
    expect(new URL(jwks).origin).toBe(README_ORIGIN);

    const bearer = /^Bearer (.+)$/.exec(String(bot.notifications[0]!.headers.authorization))![1]!;
    const snippet = readmeSnippet('jose').replaceAll(README_ORIGIN, server.httpsUrl);
    const script = `const bearerToken = process.env.NOTIFICATION_TOKEN;\n${snippet}\nconsole.log(JSON.stringify(payload));`;
    // As a bot process runs it: the local CA trusted through NODE_EXTRA_CA_CERTS, jose from this repository.
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, NODE_OPTIONS: '', NODE_EXTRA_CA_CERTS: server.sb.caCertPath, NOTIFICATION_TOKEN: bearer },
    });
    expect(JSON.parse(stdout)).toMatchObject({
      iss: 'https://api.botframework.com',
      aud: defaultWorld().tenants[0]!.apps[0]!.id,
    });
  });
});
