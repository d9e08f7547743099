/**
 * The package root (`import { startSwitchboard } from 'switchboard'`): start Switchboard inside a test suite and
 * drive it through the control client. The server's internals are not part of the public API.
 */
export { builtInWorld, defaultWorld, startSwitchboard } from './embed.js';
export type { RunningSwitchboard, SwitchboardOptions } from './embed.js';
export * from './client/index.js';
