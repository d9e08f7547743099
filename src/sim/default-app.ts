/**
 * `--callback <url>` (SWITCHBOARD_CALLBACK): the calling webhook of the default app, so incoming calls, scenarios and
 * the examples reach a bot without a world file. The default app is the first app of the first tenant: in the
 * built-in world the only one (client id 0efc74f7-…), in a world file the one listed first, which the banner also
 * shows as "Bot app". The option replaces the callbackUri the world file gives that app; other apps keep theirs.
 */
import { ConfigError } from '../config.js';
import type { App, World } from './directory.js';

export function defaultApp(world: World): App | undefined {
  return world.tenants[0]?.apps[0];
}

/** Sets the default app's callback (before the directory is built from `world`); a world without apps is a config error. */
export function applyDefaultCallback(world: World, callback: string | null): void {
  if (callback === null) return;
  const app = defaultApp(world);
  if (!app)
    throw new ConfigError(
      `--callback: the world's first tenant has no app to set the callback URL of (add one to tenants[0].apps)`,
    );
  app.callbackUri = callback;
}
