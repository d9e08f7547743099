/**
 * Control API for the notification signing keys: see which key signs and which replaced keys are still published,
 * and rotate now (what `--notification-key-rotation` does on a schedule). No token, like the rest of the control API.
 */
import type { FastifyInstance } from 'fastify';
import type { NotificationKeyRing } from '../auth/notification-keys.js';

export function notificationKeyRoutes(app: FastifyInstance, ring: NotificationKeyRing): void {
  app.get('/_switchboard/notification-keys', async () => ring.view());

  app.post('/_switchboard/notification-keys/rotate', async () => {
    await ring.rotate();
    return ring.view();
  });
}
