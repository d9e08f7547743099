/**
 * The action registry (issue 14): every Graph action Switchboard knows, served or not, one entry each. The routes
 * (src/api/actions/routes.ts), the 501 answers, the auth and isolation matrices (test/conformance/route-matrix.ts)
 * and the README's supported-surface table (src/api/actions/surface.ts, checked by test/api/readme-surface.test.ts)
 * all read this list. Adding an action is one entry here, one decider, its tests (ARCHITECTURE.md).
 */
import { actionName } from '../context.js';
import type { ApiVersion } from '../../domain/types.js';
import { CALL_ACTIONS } from './call-actions.js';
import type { ActionBinding, GraphAction } from './define.js';
import { PARTICIPANT_ACTIONS, PARTICIPANTS_ACTIONS } from './participant-actions.js';

export const ACTIONS: readonly GraphAction[] = [...CALL_ACTIONS, ...PARTICIPANTS_ACTIONS, ...PARTICIPANT_ACTIONS];

const byKey = new Map<string, GraphAction>();
for (const a of ACTIONS) {
  const key = `${a.on} ${a.name.toLowerCase()}`;
  if (byKey.has(key)) throw new Error(`the action registry lists ${a.on} action ${a.name} twice`);
  byKey.set(key, a);
}

/** The entry a path segment names (any case, with or without `microsoft.graph.`), on `version`; null if none. */
export function findAction(on: ActionBinding, segment: string, version: ApiVersion): GraphAction | null {
  const found = byKey.get(`${on} ${actionName(segment)}`);
  return found && found.versions.includes(version) ? found : null;
}

/** Every action name bound to `on`, normalized as `actionName` does: the values the action route's segment takes. */
export function actionNames(on: ActionBinding): ReadonlySet<string> {
  return new Set(ACTIONS.filter((a) => a.on === on).map((a) => a.name.toLowerCase()));
}
