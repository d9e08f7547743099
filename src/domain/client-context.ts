/** `clientContext`: the bot's own correlation string, echoed on the operation and its notifications (spec 1.4). */
import { reject, RejectionCode, type Rejection } from './rejections.js';

/** Graph refuses a longer clientContext. */
export const MAX_CLIENT_CONTEXT = 256;

/** Refuses a clientContext over MAX_CLIENT_CONTEXT characters (400, target `clientContext`). */
export function checkClientContext(clientContext: string | null | undefined): Rejection | null {
  if (clientContext == null || clientContext.length <= MAX_CLIENT_CONTEXT) return null;
  return reject(
    RejectionCode.clientContextTooLong,
    `clientContext is ${clientContext.length} characters; at most ${MAX_CLIENT_CONTEXT} are allowed.`,
    'clientContext',
  );
}
