/**
 * A person's later actions are durable timers: scheduled before a restart on the same data directory, they still
 * happen after it (on the virtual clock, which starts again from the real time).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { startSwitchboard, type Switchboard } from '../../src/main.js';
import {
  DEFAULT_APP_ID,
  DEFAULT_APP_SECRET,
  DEFAULT_MEETING_THREADS,
  DEFAULT_TENANT_ID,
  DEFAULT_USERS,
} from '../../src/sim/default-world.js';
import { rosterEntry, startFakeBot, type FakeBot } from '../helpers/fake-bot.js';
import { fastWorld, QUIET_TEST_CONFIG } from '../helpers/server.js';

const json = { 'content-type': 'application/json' };

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

const advance = async (sb: Switchboard, ms: number): Promise<void> => {
  const res = await fetch(`${sb.httpUrl}/_switchboard/clock/advance`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ ms }),
  });
  expect(res.status).toBe(200);
};

describe('people across a restart', () => {
  const data = mkdtempSync(join(tmpdir(), 'sb-people-restart-'));
  const started: Switchboard[] = [];
  let bot: FakeBot | undefined;
  afterAll(async () => {
    for (const sb of started) await sb.close();
    await bot?.close();
  });

  it('a leave scheduled for a minute after joining happens after the server restarted', async () => {
    bot = await startFakeBot({});
    const world = fastWorld(bot.url, (w) => {
      w.tenants[0]!.users.find((u) => u.id === DEFAULT_USERS.megan)!.then = [{ afterMs: 60_000, action: 'leave' }];
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
    const auth = { authorization: `Bearer ${await token(first)}`, ...json };
    const created = await fetch(`${first.httpUrl}/v1.0/communications/calls`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        callbackUri: bot.url,
        mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
        chatInfo: { threadId: DEFAULT_MEETING_THREADS.weeklySync, messageId: '0' },
        meetingInfo: {
          '@odata.type': '#microsoft.graph.organizerMeetingInfo',
          organizer: { user: { id: DEFAULT_USERS.bob } },
        },
      }),
    });
    const callId = ((await created.json()) as { id: string }).id;
    await advance(first, 100);
    const invited = await fetch(`${first.httpUrl}/v1.0/communications/calls/${callId}/participants/invite`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ participants: [{ identity: { user: { id: DEFAULT_USERS.megan } } }] }),
    });
    expect(invited.status).toBe(200);
    await advance(first, 100);
    const joined = await bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        rosterEntry(n, DEFAULT_USERS.megan) !== undefined,
    );
    const pid = rosterEntry(joined, DEFAULT_USERS.megan).id as string;
    await first.close();
    started.pop();

    const second = await startSwitchboard(config, { world });
    started.push(second);
    expect(bot.notifications.some((n) => n.item.changeType === 'deleted' && n.item.resourceData?.[0]?.id === pid)).toBe(
      false,
    );
    await advance(second, 60_000);
    const left = await bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        n.item.changeType === 'deleted' &&
        rosterEntry(n, pid) !== undefined,
    );
    expect(rosterEntry(left, pid).info.identity.user.id).toBe(DEFAULT_USERS.megan);
    expect(bot.problems).toEqual([]);
  });
});
