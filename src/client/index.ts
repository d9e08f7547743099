/**
 * `switchboard/client`: the control-API client alone, for a test suite that talks to a Switchboard running
 * elsewhere. Loads nothing of the server (test/client/client-alone.test.ts checks it).
 */
export {
  connectSwitchboard,
  describeEntry,
  identity,
  SwitchboardControl,
  SwitchboardError,
  WaitForNotificationError,
} from './control.js';
export type { ControlOptions, NotificationMatch, NotificationPredicate, WaitOptions } from './control.js';
export type * from './types.js';
