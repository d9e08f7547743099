/**
 * Load generator, run in its own worker thread so that autocannon does not share an event loop with the server
 * under test. One run per worker: workerData is a LoadSpec, the single message posted back a LoadOutcome.
 *
 * Every request invites a distinct identity (n = 0, 1, 2 … across all connections), into call n mod K of the
 * pre-created calls, so no request is a duplicate-invitee 400. `setupRequest` runs synchronously right before
 * autocannon writes the request (for every request but a connection's first, which is built when the connection is
 * made, a few hundred microseconds earlier), so the time taken there is the request's start for the end-to-end
 * latency. The identity is recorded with it; the bot keys what it receives by the same (call id, identity).
 * A run with a rate (the half-rate runs) is paced by paced-load.ts instead (see there why not autocannon's rate).
 */
import { parentPort, workerData } from 'node:worker_threads';
import autocannon, { type RawResult, type RequestParams, type Result } from 'autocannon';
import { inviteBody, inviteeFor, invitePath } from './invite-body.js';
import { threadCpuMs, wallNow } from './stats.js';
import { runPacedLoad } from './paced-load.js';

export interface LoadSpec {
  url: string;
  token: string;
  callIds: string[];
  connections: number;
  duration: number;
  /** Requests per second over all connections, evenly paced (paced-load.ts), or null: autocannon, as fast as possible. */
  overallRate: number | null;
  userPool: number;
  /** Baseline: cycle through the user pool (the echo server does not mind repeats) so bodies match the invite runs'. */
  cyclePool: boolean;
  /** First identity number (two load generators on one world use disjoint ranges); default 0. */
  offset?: number;
  /** Send exactly this many requests instead of running for `duration` seconds. */
  amount?: number;
}

export interface LoadRecords {
  /** `${callId}|${identity id}` per request, in the order they were started. */
  keys: string[];
  /** Wall-clock ms (see stats.wallNow) the request was started. */
  starts: number[];
  /** HTTP status, 0 when no response came (in flight when the run stopped, or a socket error). */
  statuses: number[];
  /** Wall-clock ms the response was complete, 0 when none came. */
  ends: number[];
}

export interface LoadOutcome {
  result: Pick<Result, 'duration' | 'errors' | 'timeouts' | 'non2xx' | 'resets' | 'statusCodeStats'> & {
    latency: { p50: number; p90: number; p99: number; max: number; average: number };
    requestsTotal: number;
    requestsSent: number;
  };
  records: LoadRecords;
  /** Invitees beyond the world's user pool, invited as phone numbers instead. */
  phonesUsed: number;
  /** One error body per status code other than 200 (what went wrong, for the report). */
  sampleErrors: Record<string, string>;
  /**
   * CPU this load generator's thread used from the start of its run to its report (ms, stats.ts threadCpuMs; its
   * module loading before the run is not counted).
   */
  cpuMs?: number | null;
  /** Paced runs: how late the generator sent requests after they were due (ms); its own lag, not the server's. */
  sendLate?: { p50: number; p99: number; max: number };
}

const spec = workerData as LoadSpec;

const isAggregated = (r: Result | RawResult): r is Result => typeof (r as Partial<Result>).latency?.p50 === 'number';

const cpuAtStart = threadCpuMs();
const cpuSinceStart = (): number | null => {
  const now = threadCpuMs();
  return now === null || cpuAtStart === null ? null : now - cpuAtStart;
};

async function main(): Promise<void> {
  if (spec.overallRate !== null) {
    const paced = await runPacedLoad({ ...spec, overallRate: spec.overallRate });
    parentPort!.postMessage({ ...paced, cpuMs: cpuSinceStart() });
    return;
  }
  const records: LoadRecords = { keys: [], starts: [], statuses: [], ends: [] };
  const sampleErrors: Record<string, string> = {};
  let next = spec.offset ?? 0;
  let phonesUsed = 0;
  const K = spec.callIds.length;

  const opts = {
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount !== undefined ? { amount: spec.amount } : { duration: spec.duration }),
    pipelining: 1,
    timeout: 30,
    headers: { authorization: `Bearer ${spec.token}`, 'content-type': 'application/json', accept: 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (req: RequestParams, context: Record<string, unknown>) => {
          const n = next++;
          const callId = spec.callIds[n % K]!;
          const invitee = inviteeFor(spec.cyclePool ? n % spec.userPool : n, spec.userPool);
          if (invitee.kind === 'phone') phonesUsed++;
          context.i = records.keys.length;
          records.keys.push(`${callId}|${invitee.id}`);
          records.statuses.push(0);
          records.ends.push(0);
          records.starts.push(wallNow());
          return { ...req, path: invitePath(callId), body: inviteBody(invitee) };
        },
        onResponse: (status: number, body: string, context: Record<string, unknown>) => {
          const i = context.i as number;
          records.statuses[i] = status;
          records.ends[i] = wallNow();
          if (status !== 200 && !(String(status) in sampleErrors)) sampleErrors[String(status)] = body.slice(0, 500);
        },
      },
    ],
  };

  const raw = await autocannon(opts);
  // Off the main thread autocannon hands back the raw result (histograms encoded); aggregate it here.
  const r: Result = isAggregated(raw) ? raw : autocannon.aggregateResult([raw], opts);
  const outcome: LoadOutcome = {
    result: {
      duration: r.duration,
      errors: r.errors,
      timeouts: r.timeouts,
      non2xx: r.non2xx,
      resets: r.resets,
      statusCodeStats: r.statusCodeStats,
      latency: {
        p50: r.latency.p50,
        p90: r.latency.p90,
        p99: r.latency.p99,
        max: r.latency.max,
        average: r.latency.average,
      },
      requestsTotal: r.requests.total,
      requestsSent: r.requests.sent,
    },
    records,
    phonesUsed,
    sampleErrors,
    cpuMs: cpuSinceStart(),
  };
  parentPort!.postMessage(outcome);
}

main().catch((err: unknown) => {
  parentPort!.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
});
