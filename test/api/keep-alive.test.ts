/**
 * Both listeners keep idle connections 72 s, as Fastify does for a server it creates (the overload door gives it its
 * own servers, which Fastify leaves at Node's 5 s): a client whose pool keeps connections longer than the server (the
 * .NET HttpClient's minute) must not have a POST land on a connection the server is just closing.
 */
import http from 'node:http';
import https from 'node:https';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fastWorld, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(fastWorld(null));
});
afterAll(async () => {
  await server.close();
});

function keepAliveHeader(url: string): Promise<string | undefined> {
  const mod = url.startsWith('https:') ? https : http;
  const agent = new mod.Agent({ keepAlive: true });
  return new Promise((resolve, reject) => {
    const req = mod.get(`${url}/_switchboard/health`, { agent }, (res) => {
      res.resume();
      res.on('end', () => {
        agent.destroy();
        resolve(res.headers['keep-alive']?.toString());
      });
    });
    req.on('error', reject);
  });
}

it('keeps idle connections 72 s on the http and the https listener', async () => {
  expect(await keepAliveHeader(server.httpUrl)).toBe('timeout=72');
  expect(await keepAliveHeader(server.httpsUrl)).toBe('timeout=72');
});
