/** Loads a control API resource for a page, and loads it again on `reload()` (the live feed calls it). */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, type ApiError } from './api.js';

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  reload: () => void;
}

export function useResource<T>(path: string | null): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | Error | undefined>(undefined);
  // A reload while one is in flight runs once more after it: the answer always reflects the latest change.
  const state = useRef({ inFlight: false, again: false, path });
  state.current.path = path;
  const load = useCallback(() => {
    const s = state.current;
    if (s.path === null) return;
    if (s.inFlight) {
      s.again = true;
      return;
    }
    s.inFlight = true;
    const asked = s.path;
    api<T>('GET', asked)
      .then((d) => {
        if (state.current.path === asked) {
          setData(d);
          setError(undefined);
        }
      })
      .catch((e: unknown) => {
        if (state.current.path === asked) setError(e instanceof Error ? e : new Error(String(e)));
      })
      .finally(() => {
        s.inFlight = false;
        if (s.again) {
          s.again = false;
          load();
        }
      });
  }, []);
  useEffect(() => {
    setData(undefined);
    setError(undefined);
    load();
  }, [path, load]);
  return { data, error, reload: load };
}
