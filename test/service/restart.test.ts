/**
 * Durability across a restart on the same data directory: an invite whose invitee is still ringing when the server
 * stops completes after it starts again, and notifications the bot could not take while it was down are delivered.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { startSwitchboard, type Switchboard } from '../../src/main.js';
import { DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_TENANT_ID } from '../../src/sim/default-world.js';
import { rosterEntry, startFakeBot, type FakeBot } from '../helpers/fake-bot.js';
import { fastWorld, QUIET_TEST_CONFIG } from '../helpers/server.js';

const MEETING = '19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2';
const ADELE = '278405a3-f568-4b3e-b684-009193463064';

async function token(sb: Switchboard): Promise<string> {
  const res = await fetch(`${sb.httpUrl}/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: DEFAULT_APP_ID,
      client_secret: DEFAULT_APP_SECRET,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Moves a virtual clock, as a test does through the control API. */
async function advance(sb: Switchboard, ms: number): Promise<void> {
  const res = await fetch(`${sb.httpUrl}/_switchboard/clock/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ms }),
  });
  expect(res.status).toBe(200);
}

describe('restart on the same data directory', () => {
  const data = mkdtempSync(join(tmpdir(), 'sb-restart-'));
  const started: Switchboard[] = [];
  let bot: FakeBot | undefined;
  afterAll(async () => {
    for (const sb of started) await sb.close();
    await bot?.close();
  });

  it('finishes a pending invite and delivers what was queued while down', async () => {
    let botDown = false;
    bot = await startFakeBot({ respond: () => (botDown ? 503 : 202) });
    // Adele answers after 60 s of the virtual clock, which moves only when the test advances it: she is still ringing
    // across the restart however long the restart takes (a real-time ring raced a loaded machine's restart). Each
    // server's virtual clock starts at its own real start time, so the second starts a few seconds later, short of 60.
    const world = fastWorld(bot.url, (w) => {
      w.tenants[0]!.users.find((u) => u.id === ADELE)!.answer = { action: 'accept', afterMs: 60_000 };
    });
    const config = resolveConfig(
      [],
      {},
      {
        data,
        port: 0,
        httpsPort: 0,
        tlsDir: process.env.SWITCHBOARD_TEST_TLS_DIR!,
        logLevel: 'silent',
        clock: 'virtual',
        ...QUIET_TEST_CONFIG,
      },
    );
    const first = await startSwitchboard(config, { world });
    started.push(first);
    const auth = { authorization: `Bearer ${await token(first)}`, 'content-type': 'application/json' };
    const created = await fetch(`${first.httpUrl}/v1.0/communications/calls`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        callbackUri: bot.url,
        mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
        chatInfo: { threadId: MEETING, messageId: '0' },
        meetingInfo: {
          '@odata.type': '#microsoft.graph.organizerMeetingInfo',
          organizer: { user: { id: '5810cede-f3cc-42eb-b2c1-e9bd5d53ec96' } },
        },
      }),
    });
    const callId = ((await created.json()) as { id: string }).id;
    await advance(first, 1000); // the join's establishing → established steps
    await bot.waitFor((n) => n.item.resourceUrl === `/communications/calls/${callId}/participants`);
    const invited = await fetch(`${first.httpUrl}/v1.0/communications/calls/${callId}/participants/invite`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ participants: [{ identity: { user: { id: ADELE } } }] }),
    });
    expect(invited.status).toBe(200);
    const opId = ((await invited.json()) as { id: string }).id;
    botDown = true;
    await first.close();
    started.pop();

    const second = await startSwitchboard(config, { world });
    started.push(second);
    // Same signing keys after the restart: the first server's token still works.
    const op = await fetch(`${second.httpUrl}/v1.0/communications/calls/${callId}/operations/${opId}`, {
      headers: auth,
    });
    expect(op.status).toBe(200);
    expect(((await op.json()) as { status: string }).status).toBe('Running');
    await advance(second, 60_000);
    // The invitee answers while the bot is still refusing; the notifications wait in the outbox and are retried.
    const refusedOnce = async (): Promise<boolean> => {
      const log = (await fetch(`${second.httpUrl}/_switchboard/notifications?callId=${callId}`).then((r) =>
        r.json(),
      )) as { value: { status: string; attempts: { statusCode: number }[] }[] };
      return log.value.some((n) => n.status === 'retrying' && n.attempts.some((a) => a.statusCode === 503));
    };
    for (let i = 0; i < 100 && !(await refusedOnce()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await refusedOnce()).toBe(true);
    botDown = false;
    const done = await bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === opId, {
      timeoutMs: 10_000,
    });
    expect(done.item.resourceData.status).toBe('Completed');
    await bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` && rosterEntry(n, ADELE) !== undefined,
    );
    expect(bot.problems).toEqual([]);
  });
});

describe('online meetings across a restart', () => {
  it('a meeting created before the restart is read back and joined by its join meeting id and passcode after it', async () => {
    const data = mkdtempSync(join(tmpdir(), 'sb-restart-meetings-'));
    const config = resolveConfig(
      [],
      {},
      {
        data,
        port: 0,
        httpsPort: 0,
        tlsDir: process.env.SWITCHBOARD_TEST_TLS_DIR!,
        logLevel: 'silent',
        ...QUIET_TEST_CONFIG,
      },
    );
    const first = await startSwitchboard(config, { world: fastWorld(null) });
    const bob = '5810cede-f3cc-42eb-b2c1-e9bd5d53ec96';
    const created = await fetch(`${first.httpUrl}/v1.0/users/${bob}/onlineMeetings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(first)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'Survives', joinMeetingIdSettings: { isPasscodeRequired: true } }),
    });
    expect(created.status).toBe(201);
    const meeting = (await created.json()) as {
      id: string;
      joinMeetingIdSettings: { joinMeetingId: string; passcode: string };
    };
    await first.close();

    const second = await startSwitchboard(config, { world: fastWorld(null) });
    try {
      const auth = { authorization: `Bearer ${await token(second)}`, 'content-type': 'application/json' };
      const got = await fetch(`${second.httpUrl}/v1.0/users/${bob}/onlineMeetings/${meeting.id}`, { headers: auth });
      expect(got.status).toBe(200);
      expect(await got.json()).toMatchObject({
        id: meeting.id,
        subject: 'Survives',
        joinMeetingIdSettings: meeting.joinMeetingIdSettings,
      });
      const joined = await fetch(`${second.httpUrl}/v1.0/communications/calls`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          callbackUri: 'http://127.0.0.1:9/api/calls',
          mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
          meetingInfo: { '@odata.type': '#microsoft.graph.joinMeetingIdMeetingInfo', ...meeting.joinMeetingIdSettings },
          tenantId: DEFAULT_TENANT_ID,
        }),
      });
      expect(joined.status, await joined.clone().text()).toBe(201);
    } finally {
      await second.close();
    }
  });
});

describe('close()', () => {
  it('stops both listeners, so nothing keeps the process alive', async () => {
    const config = resolveConfig(
      [],
      {},
      {
        data: ':memory:',
        port: 0,
        httpsPort: 0,
        tlsDir: process.env.SWITCHBOARD_TEST_TLS_DIR!,
        logLevel: 'silent',
        ...QUIET_TEST_CONFIG,
      },
    );
    const sb = await startSwitchboard(config, { world: fastWorld(null) });
    expect((await fetch(`${sb.httpUrl}/v1.0/communications/calls/x`)).status).toBe(401);
    await sb.close();
    await expect(fetch(`${sb.httpUrl}/v1.0/communications/calls/x`)).rejects.toThrow();
    await expect(fetch(`${sb.httpsUrl}/v1.0/communications/calls/x`)).rejects.toThrow();
  });
});
