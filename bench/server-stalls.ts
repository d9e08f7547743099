/**
 * What held up the server thread during a run: its event loop's longest delay, and the garbage collector's pauses on
 * it. The server runs on the bench's main thread, so both are measured here (the bot's and the load generator's
 * threads have heaps and loops of their own). A pause holds every request that arrives during it, so at an evenly
 * paced half-peak rate the request p99 follows the longest pauses, not the median cost of a request; these figures
 * say how much of a tail is the collector's.
 */
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export interface ServerStalls {
  /** Longest event-loop delay seen (ms), sampled every 10 ms. */
  loopDelayMaxMs: number;
  /** Garbage-collection pauses on the server thread. */
  gcPauses: number;
  /** Those that lasted 5 ms or more. */
  gcPausesOver5Ms: number;
  gcLongestMs: number;
  gcTotalMs: number;
}

/** The stalls of the given pauses (ms) and longest loop delay. */
export function summarizeStalls(loopDelayMaxMs: number, pausesMs: readonly number[]): ServerStalls {
  return {
    loopDelayMaxMs,
    gcPauses: pausesMs.length,
    gcPausesOver5Ms: pausesMs.filter((ms) => ms >= 5).length,
    gcLongestMs: pausesMs.reduce((a, ms) => Math.max(a, ms), 0),
    gcTotalMs: pausesMs.reduce((a, ms) => a + ms, 0),
  };
}

/**
 * Starts watching this thread; `stop` returns what was seen since. The loop is sampled every 10 ms (the default), not
 * every 1 ms: the probe timer runs on the thread it measures, and must not add to the CPU per invite reported for it.
 */
export function watchServerThread(): { stop(): ServerStalls } {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const pauses: number[] = [];
  const take = (entries: readonly PerformanceEntry[]): void => {
    for (const e of entries) pauses.push(e.duration);
  };
  const observer = new PerformanceObserver((list) => take(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  delay.enable();
  return {
    stop(): ServerStalls {
      delay.disable();
      // Entries not yet handed to the callback (it runs on a later tick).
      take(observer.takeRecords());
      observer.disconnect();
      // An empty histogram's max is 0.
      return summarizeStalls(delay.max / 1e6, pauses);
    },
  };
}
