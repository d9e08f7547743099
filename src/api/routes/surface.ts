/**
 * The README's table of resource routes ("Supported surface"), rendered from the route table. The README holds it
 * between the two markers below; test/api/readme-surface.test.ts fails when the two differ (and rewrites the
 * README's copy when run with UPDATE_README=1), so the table cannot drift from what the server serves.
 */
import { graphPathOf, type GraphRoute } from './define.js';
import { ROUTES } from './table.js';

export const ROUTE_SURFACE_BEGIN =
  '<!-- route table: generated from src/api/routes/table.ts (test/api/readme-surface.test.ts) -->';
export const ROUTE_SURFACE_END = '<!-- end of route table -->';

function versions(r: GraphRoute): string {
  if (r.versions.length === 2) return 'v1.0, beta';
  return `${r.versions.join(', ')} only`;
}

function status(r: GraphRoute): string {
  if (!r.served) return '**Not yet**: `501 NotImplemented`';
  const [first] = r.served.statuses;
  return r.doc.answer ? `${first} ${r.doc.answer}` : String(first);
}

function row(r: GraphRoute): string {
  const path = `\`${r.method} ${graphPathOf(r)}\`${r.doc.accepts ? ` ${r.doc.accepts}` : ''}`;
  return `| ${path} | ${versions(r)} | ${status(r)} | ${r.doc.notifications} | ${r.doc.notYet ?? ''} |`;
}

/** The table, markers included, exactly as the README must hold it. */
export function routeSurfaceTable(routes: readonly GraphRoute[] = ROUTES): string {
  return [
    ROUTE_SURFACE_BEGIN,
    '| Method and path | Versions | Status | Notifications that follow | Not yet supported |',
    '|---|---|---|---|---|',
    ...routes.map(row),
    ROUTE_SURFACE_END,
  ].join('\n');
}
