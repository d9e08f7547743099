// `npm pack` / `npm publish` (prepack): a clean build of dist/src, so the package never ships the output of a
// source file that was deleted or renamed since the last incremental build.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = new URL('../dist/', import.meta.url);
mkdirSync(dist, { recursive: true });
rmSync(new URL('src', dist), { recursive: true, force: true });
// The build info of an incremental build would claim the deleted outputs are still up to date.
for (const name of readdirSync(dist, { withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.tsbuildinfo'))
  .map((e) => e.name)) {
  rmSync(new URL(name, dist));
}
// The project's own build, whatever it comprises.
execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
