/**
 * `npm start`: build dist/ when it is missing or older than src/ (build-state.mjs), then run the CLI in this very
 * process. package.json runs it as `exec node scripts/start.mjs`, so no shell stands between npm and the server: the
 * SIGTERM npm forwards (and Ctrl-C) reaches the server itself, which shuts down instead of being orphaned (dash, the
 * usual /bin/sh, neither forwards signals to its child nor execs the last command of `sh -c`).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { whyRebuild } from './build-state.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `npm run build`, as its own process group so a signal to this process stops the whole build (npm, sh, tsc). */
function build() {
  // npm_execpath: the npm (or other package manager) running this script; run its `build` script the same way.
  const npm = process.env.npm_execpath;
  const [command, args] = npm
    ? [process.execPath, [npm, 'run', 'build', '--silent']]
    : ['npm', ['run', 'build', '--silent']];
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', detached: process.platform !== 'win32' });
  const stop = (signal) => {
    try {
      process.kill(process.platform === 'win32' ? child.pid : -child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise((resolve) => {
    child.once('error', (err) => {
      console.error(`switchboard: could not run the build: ${err.message}`);
      resolve({ code: 1, signal: null });
    });
    child.once('exit', (code, signal) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve({ code: code ?? 1, signal });
    });
  });
}

const reason = whyRebuild(root);
if (reason !== null) {
  console.error(`switchboard: building… (${reason})`);
  const { code, signal } = await build();
  if (signal !== null || code !== 0) {
    console.error(
      signal !== null
        ? `switchboard: build stopped (${signal}); nothing was started.`
        : 'switchboard: the build failed (see above); nothing was started.',
    );
    process.exit(signal !== null ? 1 : code);
  }
}
await import('../dist/src/cli.js');
