/**
 * The README's table of Graph actions ("Supported surface"), rendered from the registry. The README holds it
 * between the two markers below; test/api/readme-surface.test.ts fails when the two differ (and rewrites the
 * README's copy when run with UPDATE_README=1), so the table cannot drift from what the server serves.
 */
import type { GraphAction } from './define.js';
import { BINDING_PATH } from './define.js';
import { ACTIONS } from './registry.js';

export const SURFACE_BEGIN = '<!-- action table: generated from src/api/actions/ (test/api/readme-surface.test.ts) -->';
export const SURFACE_END = '<!-- end of action table -->';

function versions(a: GraphAction): string {
  if (a.versions.length === 2) return 'v1.0, beta';
  const missing = a.versions.includes('beta') ? 'v1.0' : 'beta';
  return `${a.versions.join(', ')} only (${missing}: \`400\` unknown segment, as Graph's metadata has no such action)`;
}

function status(a: GraphAction): string {
  if (!a.served) return '**Not yet**: `501 NotImplemented`';
  const answer = a.doc.answer ?? (a.served.answers === 'operation' ? '+ operation' : '');
  if (!answer) return String(a.served.status);
  return answer.startsWith('+') ? `${a.served.status} ${answer}` : `${a.served.status}, ${answer}`;
}

function row(a: GraphAction): string {
  const path = `\`POST ${BINDING_PATH[a.on]}${a.name}\`${a.doc.accepts ? ` ${a.doc.accepts}` : ''}`;
  return `| ${path} | ${versions(a)} | ${status(a)} | ${a.doc.notifications} | ${a.doc.notYet ?? ''} |`;
}

/** The table, markers included, exactly as the README must hold it. */
export function actionSurfaceTable(actions: readonly GraphAction[] = ACTIONS): string {
  return [
    SURFACE_BEGIN,
    '| Action (also as `microsoft.graph.{action}`, any case) | Versions | Status | Notifications that follow | Not yet supported |',
    '|---|---|---|---|---|',
    ...actions.map(row),
    SURFACE_END,
  ].join('\n');
}
