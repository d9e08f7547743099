/**
 * A small client-side router for the dashboard (and the softphone, later): paths under BASE map to pages through
 * the ROUTES table in routes.tsx. The server answers every extension-less path under BASE with index.html (SPA
 * fallback), so a reload or a pasted link lands on the same page.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/_switchboard/ui/';

/** The path below BASE, without leading or trailing slashes ('' for the home page). */
export function currentPath(): string {
  const p = window.location.pathname;
  const rel = p.toLowerCase().startsWith(BASE) ? p.slice(BASE.length) : '';
  return rel.replace(/^\/+|\/+$/g, '');
}

const listeners = new Set<() => void>();

/** Goes to a path below BASE (e.g. `calls/abc`) without reloading; query string allowed. */
export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  const url = BASE + path.replace(/^\/+/, '');
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const l of listeners) l();
}

window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

/** Re-renders the caller whenever the location changes; returns the path and the query. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = (): void => setTick((t) => t + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return { path: currentPath(), query: new URLSearchParams(window.location.search) };
}

export type Params = Record<string, string>;

/** Matches `calls/:id` against `calls/123`: the params, or null. Segments compare case-insensitively. */
export function matchPattern(pattern: string, path: string): Params | null {
  const want = pattern.split('/').filter((s) => s !== '');
  const got = path.split('/').filter((s) => s !== '');
  if (want.length !== got.length) return null;
  const params: Params = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g);
    else if (w.toLowerCase() !== g.toLowerCase()) return null;
  }
  return params;
}

/** An in-app link: a real <a href> (so it opens in a new tab, and is keyboard-usable), navigating without reload. */
export function Link(
  props: { href: string; children: ComponentChildren } & Omit<JSX.HTMLAttributes<HTMLAnchorElement>, 'href'>,
): JSX.Element {
  const { href, children, ...rest } = props;
  const onClick = (e: MouseEvent): void => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a href={BASE + href.replace(/^\/+/, '')} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
