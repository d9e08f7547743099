/**
 * Every page of the UI, by path below /_switchboard/ui/. A new page is one row here (the softphone goes at
 * `people/:personId`); `nav` rows appear in the header, in this order.
 */
import type { JSX } from 'preact';
import type { Params } from './router.js';
import { CallsPage } from './pages/calls.js';
import { CallPage } from './pages/call.js';
import { NotificationsPage } from './pages/notifications.js';
import { WorldPage } from './pages/world.js';
import { PhonePage } from './pages/phone.js';
import { PeoplePage } from './pages/people.js';

export interface RouteDef {
  pattern: string;
  title: (params: Params) => string;
  page: (params: Params) => JSX.Element;
  /** The header link's label, for pages reached from the header. */
  nav?: string;
}

export const ROUTES: RouteDef[] = [
  { pattern: '', title: () => 'Calls', page: () => <CallsPage />, nav: 'Calls' },
  { pattern: 'notifications', title: () => 'Notifications', page: () => <NotificationsPage />, nav: 'Notifications' },
  { pattern: 'world', title: () => 'World and controls', page: () => <WorldPage />, nav: 'World and controls' },
  { pattern: 'people', title: () => 'Softphone', page: () => <PeoplePage />, nav: 'Softphone' },
  { pattern: 'calls/:id', title: (p) => `Call ${p.id ?? ''}`, page: (p) => <CallPage id={p.id ?? ''} /> },
  {
    pattern: 'people/:personId',
    title: (p) => `Softphone ${p.personId ?? ''}`,
    page: (p) => <PhonePage personId={p.personId ?? ''} />,
  },
];
