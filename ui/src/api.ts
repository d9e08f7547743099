/**
 * The dashboard's client for the control API (same origin). The control key, when the server requires one, is kept
 * in sessionStorage (this tab only, gone when it closes) and sent as the X-Switchboard-Control-Key header: a header
 * a cross-site page cannot make a browser add, unlike a cookie, so no request forgery can borrow it. The banner's
 * dashboard link can carry it in the fragment (#key=…), which the browser never sends to the server; it is moved
 * to sessionStorage and removed from the address bar at load.
 */
const KEY_STORAGE = 'switchboard.controlKey';
export const CONTROL_KEY_HEADER = 'X-Switchboard-Control-Key';

export function controlKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function setControlKey(key: string | null): void {
  if (key === null || key === '') sessionStorage.removeItem(KEY_STORAGE);
  else sessionStorage.setItem(KEY_STORAGE, key);
  for (const l of keyListeners) l();
}

/** Takes `#key=…` from the address (the banner's link) into sessionStorage, and removes it from the address bar. */
export function adoptKeyFromFragment(): void {
  const m = /(?:^#|&)key=([^&]+)/.exec(window.location.hash);
  if (!m) return;
  setControlKey(decodeURIComponent(m[1]!));
  history.replaceState(history.state, '', window.location.pathname + window.location.search);
}

const keyListeners = new Set<() => void>();
export function onKeyChange(l: () => void): () => void {
  keyListeners.add(l);
  return () => void keyListeners.delete(l);
}

/** A control API answer that was not 2xx, with Graph's error envelope read. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let keyNeeded = false;
const keyNeededListeners = new Set<(needed: boolean) => void>();

/** Whether the last request was refused for want of the control key (the app then asks for it). */
export function onKeyNeeded(l: (needed: boolean) => void): () => void {
  keyNeededListeners.add(l);
  l(keyNeeded);
  return () => void keyNeededListeners.delete(l);
}

function setKeyNeeded(needed: boolean): void {
  if (needed === keyNeeded) return;
  keyNeeded = needed;
  for (const l of keyNeededListeners) l(needed);
}

export function authHeaders(): Record<string, string> {
  const key = controlKey();
  return key ? { [CONTROL_KEY_HEADER]: key } : {};
}

/** Sends a control API request; resolves with the JSON answer, rejects with ApiError. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  const json: unknown = text === '' ? undefined : JSON.parse(text);
  if (res.status === 401) setKeyNeeded(true);
  else if (res.ok) setKeyNeeded(false);
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(res.status, err?.code ?? String(res.status), err?.message ?? `${method} ${path}: ${res.status}`);
  }
  return json as T;
}
