// A bot's own test suite with Switchboard embedded (npm install --save-dev switchboard-0.1.0.tgz; node --test).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, beforeEach, test } from 'node:test';
import { builtInWorld, startSwitchboard } from 'switchboard';

const { users, meetings, organizerId } = builtInWorld;

// The bot under test, reduced to its callback: it keeps what Graph posts and answers 202.
// (A real bot also verifies each notification's JWT against sb.notificationJwksUrl.)
function startBot() {
  const received = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ authorization: req.headers.authorization, body: JSON.parse(body) });
      res.writeHead(202).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}/callback`, received, close: () => new Promise((r) => server.close(r)) }),
    ),
  );
}

let sb;
let bot;
before(async () => {
  bot = await startBot();
  sb = await startSwitchboard({ callbackUrl: bot.url });
});
after(async () => {
  await sb?.close();
  await bot?.close();
});
// Each test starts from the loaded world: no calls, no notifications, no behaviour changes.
beforeEach(() => sb.control.reset());

// What the bot does to call Graph: a client-credentials token, then the request. This process does not trust
// Switchboard's CA (NODE_EXTRA_CA_CERTS is read at start), so it uses the plain-http endpoints.
async function graph(method, path, body) {
  const tokenResponse = await fetch(sb.http.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sb.app.clientId,
      client_secret: sb.app.secret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  const { access_token } = await tokenResponse.json();
  const res = await fetch(`${sb.http.graphUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  assert.ok(res.ok, `${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

const userIdentity = (id) => ({
  '@odata.type': '#microsoft.graph.identitySet',
  user: { '@odata.type': '#microsoft.graph.identity', id, tenantId: sb.tenantId },
});

async function joinMeeting(threadId) {
  const call = await graph('POST', '/communications/calls', {
    '@odata.type': '#microsoft.graph.call',
    callbackUri: bot.url,
    requestedModalities: ['audio'],
    mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    chatInfo: { '@odata.type': '#microsoft.graph.chatInfo', threadId, messageId: '0' },
    meetingInfo: { '@odata.type': '#microsoft.graph.organizerMeetingInfo', organizer: userIdentity(organizerId) },
    tenantId: sb.tenantId,
  });
  await sb.control.waitForNotification((n) => n.resourceUrl === `/communications/calls/${call.id}` && n.resourceData.state === 'established');
  return call;
}

const invite = (callId, userId) =>
  graph('POST', `/communications/calls/${callId}/participants/invite`, {
    participants: [{ '@odata.type': '#microsoft.graph.invitationParticipantInfo', identity: userIdentity(userId) }],
    clientContext: `invite-${userId}`,
  });

test('the bot joins the weekly meeting and invites Adele, who joins', async () => {
  const call = await joinMeeting(meetings.weeklySync);
  const op = await invite(call.id, users.adele);
  assert.equal(op.status, 'Running');

  // The operation's `deleted` notification, delivered to the bot: Completed.
  const done = await sb.control.waitForNotification(
    (n) => n.changeType === 'deleted' && n.resourceUrl === `/communications/calls/${call.id}/operations/${op.id}`,
    { timeoutMs: 5000 },
  );
  assert.equal(done.notification.resourceData.status, 'Completed');

  // The roster update with Adele in it.
  const roster = await sb.control.waitForNotification(
    (n) => n.resourceUrl === `/communications/calls/${call.id}/participants` && n.resourceData.some((p) => p.info.identity.user?.id === users.adele),
  );
  assert.equal(roster.notification.changeType, 'updated');

  // The bot really received both, signed.
  const posted = bot.received.flatMap((r) => r.body.value.map((n) => ({ ...n, authorization: r.authorization })));
  assert.ok(posted.some((n) => n.resourceUrl.endsWith(`/operations/${op.id}`) && n.authorization.startsWith('Bearer ')));
  assert.equal((await sb.control.calls.get(call.id)).roster.filter((p) => p.status === 'joined').length, 2);
});

test('an invitee who declines fails the operation with 603', async () => {
  await sb.control.people.setBehaviour(users.alex, { answer: { action: 'decline', afterMs: 0 } });
  const call = await joinMeeting(meetings.weeklySync);
  const op = await invite(call.id, users.alex);

  const done = await sb.control.waitForNotification((n) => n.resourceUrl === `/communications/calls/${call.id}/operations/${op.id}`);
  assert.equal(done.notification.resourceData.status, 'Failed');
  assert.equal(done.notification.resourceData.resultInfo.code, 603);
});
