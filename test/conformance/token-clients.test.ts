/**
 * Tokens from the official identity clients — @azure/msal-node and @azure/identity — obtained from the running
 * Switchboard's https authority and used on a real Graph request: the server accepts what the clients produce.
 * (test/auth/clients.test.ts covers the token endpoint alone.)
 */
import { ClientSecretCredential } from '@azure/identity';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SECRET } from '../../src/sim/default-world.js';
import { APP, MEETING_A, startConformance, TENANT, type Conformance } from './fixture.js';

const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default';

describe('tokens from the official identity clients work against the running server', () => {
  let c: Conformance;
  let callId: string;
  let authorityHost: string;

  beforeAll(async () => {
    c = await startConformance();
    callId = await c.joinMeeting(MEETING_A);
    authorityHost = new URL(c.server.httpsUrl).host;
  });
  afterAll(async () => {
    await c.close();
  });

  const getCall = async (accessToken: string): Promise<Response> =>
    fetch(`${c.server.httpsUrl}/v1.0/communications/calls/${callId}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });

  it('@azure/msal-node ConfidentialClientApplication: client credentials → GET the call (200)', async () => {
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: APP,
        clientSecret: DEFAULT_APP_SECRET,
        authority: `${c.server.httpsUrl}/${TENANT}`,
        knownAuthorities: [authorityHost],
      },
    });
    const result = await cca.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] });
    expect(result?.tokenType).toBe('Bearer');
    expect(decodeJwt(result!.accessToken)).toMatchObject({
      tid: TENANT,
      appid: APP,
      aud: 'https://graph.microsoft.com',
    });
    const res = await getCall(result!.accessToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: callId, state: 'established', tenantId: TENANT });
  });

  it('@azure/identity ClientSecretCredential: getToken → GET the call (200)', async () => {
    const credential = new ClientSecretCredential(TENANT, APP, DEFAULT_APP_SECRET, {
      authorityHost: c.server.httpsUrl,
      disableInstanceDiscovery: true,
    });
    const token = await credential.getToken(GRAPH_DEFAULT);
    expect(decodeJwt(token.token)).toMatchObject({ tid: TENANT, appid: APP, aud: 'https://graph.microsoft.com' });
    const res = await getCall(token.token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: callId, state: 'established', tenantId: TENANT });
  });

  it('a wrong secret gets no token, so no Graph request can be made with it', async () => {
    const credential = new ClientSecretCredential(TENANT, APP, 'not-the-secret', {
      authorityHost: c.server.httpsUrl,
      disableInstanceDiscovery: true,
    });
    await expect(credential.getToken(GRAPH_DEFAULT)).rejects.toThrow(/AADSTS7000215/);
  });
});
