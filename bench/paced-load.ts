/**
 * Open-loop paced load for the half-rate runs: request k is due at t0 + k / rate, evenly spaced, over up to
 * `connections` keep-alive connections, whatever the server's answers do; its latency counts from when it was
 * due, so time spent waiting for a free connection (the server falling behind) is latency too.
 *
 * Why not autocannon's `overallRate`: it limits each connection to rate/connections requests per *second* and
 * sends them back to back at the start of every second, then idles. Its "half rate" runs were the peak load for
 * half of each second (their p50 ≈ the peak run's), which says nothing about latency when the server is not
 * saturated. The peak runs (and the baseline) stay on autocannon.
 */
import http from 'node:http';
import { inviteBody, inviteeFor, invitePath } from './invite-body.js';
import type { LoadOutcome, LoadRecords, LoadSpec } from './loadgen-worker.js';
import { percentile, wallNow, maxOf } from './stats.js';

export async function runPacedLoad(spec: LoadSpec & { overallRate: number }): Promise<LoadOutcome> {
  const records: LoadRecords = { keys: [], starts: [], statuses: [], ends: [] };
  const sampleErrors: Record<string, string> = {};
  const statusCounts: Record<string, { count: number }> = {};
  const latencies: number[] = [];
  const K = spec.callIds.length;
  const target = new URL(spec.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const intervalMs = 1000 / spec.overallRate;
  const total = spec.amount ?? Math.round(spec.duration * spec.overallRate);
  let errors = 0;
  let timeouts = 0;
  let phonesUsed = 0;
  const inFlight = new Set<Promise<void>>();
  const sendLate: number[] = [];

  const send = (k: number, dueWall: number): Promise<void> => {
    const n = (spec.offset ?? 0) + k;
    const callId = spec.callIds[n % K]!;
    const invitee = inviteeFor(spec.cyclePool ? n % spec.userPool : n, spec.userPool);
    if (invitee.kind === 'phone') phonesUsed++;
    const i = records.keys.length;
    records.keys.push(`${callId}|${invitee.id}`);
    records.starts.push(dueWall);
    records.statuses.push(0);
    records.ends.push(0);
    const body = inviteBody(invitee);
    // How late the generator itself sends (its thread shares the machine): latency it adds before the server sees anything.
    sendLate.push(Math.max(0, wallNow() - dueWall));
    return new Promise<void>((resolve) => {
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: invitePath(callId),
          method: 'POST',
          agent,
          timeout: 30_000,
          headers: {
            authorization: `Bearer ${spec.token}`,
            'content-type': 'application/json',
            accept: 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const end = wallNow();
            records.statuses[i] = status;
            records.ends[i] = end;
            latencies.push(end - dueWall);
            (statusCounts[String(status)] ??= { count: 0 }).count++;
            if (status !== 200 && !(String(status) in sampleErrors))
              sampleErrors[String(status)] = Buffer.concat(chunks).toString('utf8').slice(0, 500);
            resolve();
          });
        },
      );
      req.on('timeout', () => {
        timeouts++;
        req.destroy(new Error('timeout'));
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  };

  const t0 = performance.now();
  const wall0 = wallNow();
  for (let k = 0; k < total; k++) {
    const due = t0 + k * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const p = send(k, wall0 + k * intervalMs);
    inFlight.add(p);
    void p.then(() => inFlight.delete(p));
  }
  await Promise.all(inFlight);
  const durationS = (performance.now() - t0) / 1000;
  agent.destroy();

  const ok = records.statuses.filter((s) => s !== 0).length;
  const non2xx = records.statuses.filter((s) => s !== 0 && (s < 200 || s > 299)).length;
  return {
    result: {
      duration: durationS,
      errors,
      timeouts,
      non2xx,
      resets: 0,
      statusCodeStats: statusCounts,
      latency: {
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: maxOf(latencies),
        average: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : Number.NaN,
      },
      requestsTotal: ok,
      requestsSent: total,
    },
    records,
    phonesUsed,
    sampleErrors,
    sendLate: { p50: percentile(sendLate, 50), p99: percentile(sendLate, 99), max: maxOf(sendLate) },
  };
}
