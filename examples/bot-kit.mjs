/**
 * What every example bot needs, written as a real bot writes it: a client-credentials token from the token
 * endpoint, the official Graph JS client (@microsoft/microsoft-graph-client) pointed at Switchboard's https port,
 * and an HTTP callback that takes Graph's commsNotifications.
 *
 * Environment (defaults are Switchboard's built-in world):
 *   SWITCHBOARD_GRAPH   https origin of Switchboard          https://127.0.0.1:4443
 *   NODE_EXTRA_CA_CERTS Switchboard's CA (.switchboard/tls/ca.pem), so https is trusted
 *   TENANT_ID, CLIENT_ID, CLIENT_SECRET                     the default world's tenant and bot app
 *   BOT_PORT            port of the callback                 4200 (0: any free port)
 * The callback is http://127.0.0.1:<port>/callback; GET /received on the same port lists what the bot received
 * and did (for tests and curious people). A real bot also verifies each notification's JWT: see the README.
 */
import { createServer } from 'node:http';
import { Client } from '@microsoft/microsoft-graph-client';

export const DEFAULTS = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  clientId: '0efc74f7-41c3-47a4-8775-7259bfef4241',
  clientSecret: 'switchboard-local-secret',
  /** The default world's meetings (both created by the default app) and their organizer. */
  weeklySyncThread: '19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2',
  incidentBridgeThread: '19:meeting_NjA4ZWRiMTMtMGQ1Yy00ZTEyLWI3ZTgtYjNjMTFkOGE3Y2E0@thread.v2',
  organizerId: '5810cede-f3cc-42eb-b2c1-e9bd5d53ec96',
};

export const serviceHostedMedia = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' };

/**
 * Starts the bot's callback. `onNotification(item, bot)` is called for each notification (after the 202 was sent,
 * as a bot should answer fast); `bot.graph` is the Graph client, `bot.note(event)` records what the bot did.
 */
export async function startBot(name, onNotification) {
  const graphOrigin = (process.env.SWITCHBOARD_GRAPH ?? 'https://127.0.0.1:4443').replace(/\/$/, '');
  const tenantId = process.env.TENANT_ID ?? DEFAULTS.tenantId;
  const clientId = process.env.CLIENT_ID ?? DEFAULTS.clientId;
  const clientSecret = process.env.CLIENT_SECRET ?? DEFAULTS.clientSecret;

  let token = null;
  const getAccessToken = async () => {
    if (token && token.expiresAt > Date.now() + 60_000) return token.value;
    const res = await fetch(`${graphOrigin}/${tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}: ${JSON.stringify(body)}`);
    token = { value: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
    return token.value;
  };
  // customHosts: the client sends the token only to hosts it knows.
  const graph = Client.initWithMiddleware({
    baseUrl: graphOrigin,
    customHosts: new Set([new URL(graphOrigin).hostname]),
    authProvider: { getAccessToken },
  });

  const events = [];
  const bot = {
    name,
    graph,
    tenantId,
    callbackUrl: '',
    note(event) {
      events.push({ at: new Date().toISOString(), ...event });
      console.log(`${name}: ${JSON.stringify(event)}`);
    },
  };
  // One notification at a time, in arrival order, as Graph delivers them per call.
  let queue = Promise.resolve();
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/received') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ events }));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(202).end();
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        bot.note({ type: 'badNotification' });
        return;
      }
      for (const item of body.value ?? []) {
        const d = item.resourceData;
        bot.note({
          type: 'received',
          changeType: item.changeType,
          resourceUrl: item.resourceUrl,
          state: d?.state ?? d?.status ?? null,
          resultInfo: d?.resultInfo ?? null,
          tone: d?.toneInfo?.tone ?? null,
          clientContext: d?.clientContext ?? null,
        });
        queue = queue
          .then(() => onNotification(item, bot))
          .catch((e) => bot.note({ type: 'error', message: String(e?.message ?? e) }));
      }
    });
  });
  await new Promise((resolve) => server.listen(Number(process.env.BOT_PORT ?? 4200), '127.0.0.1', resolve));
  bot.callbackUrl = `http://127.0.0.1:${server.address().port}/callback`;
  console.log(`${name} listening on ${bot.callbackUrl}`);
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return bot;
}

/** The call id of a notification's resourceUrl (/communications/calls/{id}/…). */
export const callIdOf = (item) => /\/calls\/([^/]+)/.exec(item.resourceUrl)?.[1] ?? '';

/** True for the notification that a call itself changed (not its roster or an operation). */
export const isCallUpdate = (item) => /^\/communications\/calls\/[^/]+$/.test(item.resourceUrl);
