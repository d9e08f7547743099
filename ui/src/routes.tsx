/**
 * Every page of the UI, by path below /_switchboard/ui/. A new page is one row here (the softphone goes at
 * `people/:personId`); `nav` rows appear in the header, in this order.
 */
import type { JSX } from 'preact';
import type { Params } from './router.js';
import { CallsPage } from './pages/calls.js';

export interface RouteDef {
  pattern: string;
  title: (params: Params) => string;
  page: (params: Params) => JSX.Element;
  /** The header link's label, for pages reached from the header. */
  nav?: string;
}

export const ROUTES: RouteDef[] = [
  { pattern: '', title: () => 'Calls', page: () => <CallsPage />, nav: 'Calls' },
];
