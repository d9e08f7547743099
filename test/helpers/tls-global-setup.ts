/**
 * Vitest globalSetup: creates (once) a local CA and server certificate for tests that serve https, and exports
 * their location through the environment. Forked workers inherit it at spawn, which is when Node reads
 * NODE_EXTRA_CA_CERTS, so MSAL, @azure/identity and the Graph client trust the test server.
 */
import { fileURLToPath } from 'node:url';
import { loadOrCreateTls } from '../../src/auth/tls.js';

export const TEST_TLS_DIR = fileURLToPath(new URL('../../node_modules/.cache/switchboard-test-tls', import.meta.url));

export default async function setup(): Promise<void> {
  const tls = await loadOrCreateTls(TEST_TLS_DIR, ['127.0.0.1', 'localhost']);
  process.env.NODE_EXTRA_CA_CERTS = tls.caCertPath;
  process.env.SWITCHBOARD_TEST_TLS_DIR = TEST_TLS_DIR;
}
