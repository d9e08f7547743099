/**
 * The Host header check against DNS rebinding: a web page on an attacker's domain whose name later resolves to
 * 127.0.0.1 can make a browser send requests to Switchboard, which would otherwise drive the control API (world,
 * clock, faults, signing keys) and mint tokens. Such requests carry the attacker's name in `Host`, so every request
 * (Graph, token endpoint, OpenID documents, control API) whose Host is not one of the server's own names, or one
 * configured with `--allowed-hosts`, is refused before any route runs.
 *
 * Own names: the address or name the server is bound to; on loopback also `localhost`, `127.0.0.1` and `[::1]`; bound
 * to every interface (0.0.0.0, ::) also each interface address and the machine's host name (read at start). Ports
 * are not compared: rebinding changes the name, never the port, and a mapped port (docker -p 8080:4100) is
 * legitimate. A request without Host (HTTP/1.0) is no browser's and passes.
 *
 * Answer: 421 Misdirected Request (RFC 9110 §15.5.20: the server is not authoritative for the request's target
 * authority) rather than a generic 400, because that is exactly what is wrong, in the Graph envelope naming the Host.
 */
import { hostname, networkInterfaces } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { GraphError } from './errors.js';

export interface HostPolicy {
  /** True when a request carrying this Host header may be served. */
  allows(hostHeader: string | undefined): boolean;
  /** The names accepted, for the banner and error messages (`*` when any is). */
  readonly names: readonly string[];
}

export interface MachineNames {
  /** Every interface address (IPv4 and IPv6, without zone ids). */
  addresses: string[];
  hostname: string;
}

export const machineNames = (): MachineNames => ({
  addresses: Object.values(networkInterfaces()).flatMap((list) =>
    (list ?? []).map((i) => i.address.replace(/%.*$/, '')),
  ),
  hostname: hostname(),
});

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export const isLoopbackHost = (host: string): boolean => {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
};

export const isWildcardHost = (host: string): boolean => host === '0.0.0.0' || host === '::' || host === '[::]';

/** An address as a Host header spells it: IPv6 in brackets, lower-case. */
const asHostName = (host: string): string => {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
};

/**
 * The host part of a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`), lower-case, without a trailing dot; a
 * header of any other shape is returned whole (and so matches no name).
 */
export function hostOf(header: string): string {
  const h = header.trim().toLowerCase();
  const m = /^(\[[^\]]*\]|[^:[\]]*)(:\d*)?$/.exec(h);
  return m ? m[1]!.replace(/\.$/, '') : h;
}

export function hostPolicy(
  boundHost: string,
  allowedHosts: readonly string[],
  machine: MachineNames = machineNames(),
): HostPolicy {
  if (allowedHosts.includes('*')) return { allows: () => true, names: ['*'] };
  const own = new Set<string>();
  const bound = asHostName(boundHost);
  if (isWildcardHost(boundHost)) {
    for (const n of LOOPBACK_NAMES) own.add(n);
    for (const a of machine.addresses) own.add(asHostName(a));
    own.add(asHostName(machine.hostname));
  } else {
    own.add(bound);
    if (isLoopbackHost(boundHost)) for (const n of LOOPBACK_NAMES) own.add(n);
    else own.add(asHostName(machine.hostname));
  }
  const exact = new Set([...own, ...allowedHosts.filter((h) => !h.startsWith('.')).map(asHostName)]);
  const domains = allowedHosts.filter((h) => h.startsWith('.')).map((h) => h.replace(/\.$/, ''));
  return {
    names: [...exact, ...domains],
    allows(header) {
      if (header === undefined || header === '') return true;
      const host = hostOf(header);
      return exact.has(host) || domains.some((d) => host.endsWith(d) || host === d.slice(1));
    },
  };
}

export const misdirected = (host: string): GraphError =>
  new GraphError(
    421,
    'MisdirectedRequest',
    `This server does not answer for the host '${host}' (Host header). Switchboard serves its own names only, to keep web pages from reaching it through DNS rebinding; allow other names with --allowed-hosts (SWITCHBOARD_ALLOWED_HOSTS), or * for any.`,
    'Host',
  );

/** Refuses, before any route runs, a request whose Host the policy does not allow. Install after the request ids. */
export function installHostCheck(app: FastifyInstance, policy: HostPolicy): void {
  app.addHook('onRequest', (req, _reply, done) => {
    const header = req.headers.host;
    done(policy.allows(header) ? undefined : misdirected(header ?? ''));
  });
}
