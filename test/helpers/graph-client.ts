/**
 * @microsoft/microsoft-graph-client 3.x (what most TypeScript bots use) pointed at Switchboard, configured the way
 * shared/spec/clients.md verified: https base URL + the host in `customHosts`, or the client drops the token.
 *
 *   const graph = createGraphJsClient({ baseUrl: 'https://127.0.0.1:4443', getToken, ca: tls.caCertPem });
 *   const res: Response = await graph.api(`/communications/calls/${id}/participants/invite`)
 *     .responseType(ResponseType.RAW).post({ participants, clientContext });
 *   res.status; res.headers.get('location'); await res.json();
 *
 * Without `ca`, the stock middleware chain uses global fetch, which trusts the local CA only when the process was
 * started with NODE_EXTRA_CA_CERTS (how a real bot would run). With `ca`, the same chain is used but its last
 * step sends through node:https trusting that CA, because Node 20's fetch takes no per-request CA.
 */
import { request as httpsRequest } from 'node:https';
import {
  Client,
  MiddlewareFactory,
  type AuthenticationProvider,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';

export interface GraphJsClientOptions {
  /** Server origin without version, e.g. https://127.0.0.1:4443 (the client adds /v1.0). */
  baseUrl: string;
  getToken: () => Promise<string>;
  /** PEM of the CA that signed the server certificate, for in-process tests. */
  ca?: string | Buffer;
}

/** Terminal middleware equivalent to HTTPMessageHandler, over node:https with an explicit CA. */
class CaTrustingHttpMessageHandler implements Middleware {
  readonly #ca: string | Buffer;

  constructor(ca: string | Buffer) {
    this.#ca = ca;
  }

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const opts = context.options ?? {};
    const headers = Object.fromEntries(new Headers(opts.headers));
    const body = opts.body as string | Uint8Array | undefined | null;
    context.response = await new Promise<Response>((resolve, reject) => {
      const req = httpsRequest(url, { method: opts.method ?? 'GET', headers, ca: this.#ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const out = new Headers();
          for (const [k, v] of Object.entries(res.headers)) for (const one of [v ?? []].flat()) out.append(k, one);
          const status = res.statusCode ?? 500;
          const noBody = status === 204 || status === 205 || status === 304;
          resolve(
            new Response(noBody ? null : Buffer.concat(chunks), {
              status,
              statusText: res.statusMessage,
              headers: out,
            }),
          );
        });
      });
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  }
}

export function createGraphJsClient(opts: GraphJsClientOptions): Client {
  const origin = new URL(opts.baseUrl);
  if (origin.protocol !== 'https:') {
    throw new Error(`graph-client sends the bearer token only to https custom hosts; got ${opts.baseUrl}`);
  }
  const authProvider: AuthenticationProvider = { getAccessToken: () => opts.getToken() };
  const common = { baseUrl: opts.baseUrl, customHosts: new Set([origin.hostname]), defaultVersion: 'v1.0' };
  if (opts.ca === undefined) return Client.initWithMiddleware({ ...common, authProvider });
  const middleware = MiddlewareFactory.getDefaultMiddlewareChain(authProvider);
  middleware.splice(-1, 1, new CaTrustingHttpMessageHandler(opts.ca));
  return Client.initWithMiddleware({ ...common, middleware });
}
