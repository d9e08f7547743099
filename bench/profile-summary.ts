/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per file, top N.
 *
 *   BENCH_SCENARIOS=memory node --cpu-prof --cpu-prof-dir=bench/.tmp/prof dist/bench/run.js
 *   node dist/bench/profile-summary.js bench/.tmp/prof/<the main thread's>.cpuprofile [N]
 *
 * `--cpu-prof` writes one profile per thread; the server runs on the main thread (the largest file, usually).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  return url.replace(/^file:\/\//, '');
}

function main(): void {
  const [file, topRaw] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top N]');
    process.exitCode = 2;
    return;
  }
  const top = Number(topRaw ?? 30);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = profile.endTime - profile.startTime;

  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const label = (n: ProfileNode): string =>
    `${n.callFrame.functionName || '(anonymous)'}  ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  // Native frames (SQLite's Statement.all/run/get, JSON.parse, writev …) charged to the JS function that called them.
  const byCaller = new Map<string, number>();
  for (const [id, us] of selfUs) {
    let n = byId.get(id)!;
    const native = n.callFrame.url === '' && !n.callFrame.functionName.startsWith('(');
    let name = native ? n.callFrame.functionName : '';
    while (native && n.callFrame.url === '' && parentOf.has(n.id)) n = byId.get(parentOf.get(n.id)!)!;
    const key = native ? `[${name}] ← ${label(n)}` : label(n);
    name = key;
    byCaller.set(name, (byCaller.get(name) ?? 0) + us);
  }

  // Inclusive: each sample counts once for every distinct function on its stack. Async functions show up once per
  // resumption (each await resumes on a fresh stack), so this is the synchronous work done in them and below them.
  const inclusive = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>();
    for (
      let n: ProfileNode | undefined = byId.get(id);
      n;
      n = parentOf.has(n.id) ? byId.get(parentOf.get(n.id)!) : undefined
    ) {
      if (n.callFrame.url === '' || n.callFrame.url.startsWith('node:')) continue;
      seen.add(label(n));
    }
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });

  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const where = shortUrl(n.callFrame.url);
    const fn = `${n.callFrame.functionName || '(anonymous)'}  ${where}:${n.callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    const pkg =
      where.startsWith('src/') || where.startsWith('bench/')
        ? where
        : where.startsWith('(')
          ? n.callFrame.functionName || where
          : where.split('/')[0]!.startsWith('@')
            ? where.split('/').slice(0, 2).join('/')
            : where.split('/')[0]!;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
  const print = (title: string, m: Map<string, number>): void => {
    console.log(`\n${title}`);
    for (const [k, us] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  };
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s profiled, ${profile.samples.length} samples`);
  print('Self time by function', byFunction);
  print('Self time, native frames charged to their JS caller', byCaller);
  print('Inclusive time (JS functions outside node: internals)', inclusive);
  print('Self time by file / package / native', byPackage);
}

main();
