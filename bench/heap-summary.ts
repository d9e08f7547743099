/**
 * Summarizes a sampling heap profile (BENCH_HEAP=1 in run.ts): the bytes sampled per allocation site, with the
 * `depth` innermost frames of its stack, largest first. With the bench's settings the profile holds the allocations
 * that lived through a young-generation collection, so this is where the collector's copying and promotion come from.
 *   node dist/bench/heap-summary.js bench/.tmp/prof/memory-1.heapprofile [depth=3] [top=25]
 */
import { readFileSync } from 'node:fs';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const [file, depthArg, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node dist/bench/heap-summary.js <file.heapprofile> [depth] [top]');
  process.exit(2);
}
const depth = Number(depthArg ?? 3);
const top = Number(topArg ?? 25);
const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };

const label = (n: HeapNode): string =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/.*\/(src|bench|node_modules)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;

const bySite = new Map<string, number>();
let total = 0;
const walk = (n: HeapNode, stack: string[]): void => {
  const here = [...stack, label(n)];
  if (n.selfSize > 0) {
    total += n.selfSize;
    const site = here.slice(-depth).reverse().join(' ← ');
    bySite.set(site, (bySite.get(site) ?? 0) + n.selfSize);
  }
  for (const c of n.children) walk(c, here);
};
walk(head, []);

console.log(`${file}: ${(total / 1024 / 1024).toFixed(1)} MiB sampled`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(
    `${((100 * bytes) / total).toFixed(1).padStart(5)} % ${(bytes / 1024).toFixed(0).padStart(8)} KiB  ${site}`,
  );
