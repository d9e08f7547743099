/**
 * The example scenarios end to end: a Switchboard on the virtual clock, the example bot as its own process (as a
 * real bot runs: NODE_EXTRA_CA_CERTS, https, the Graph JS client), the scenario played through the control API by
 * `runScenario` (what `switchboard run-scenario` does), then what the bot says it received and did.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { defaultWorld, DEFAULT_USERS } from '../../src/sim/default-world.js';
import { loadScenarioFile, runScenario } from '../../src/sim/scenario.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const example = (name: string): string => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));

interface BotEvent {
  type: string;
  [k: string]: unknown;
}

interface RunningBot {
  url: string;
  received(): Promise<BotEvent[]>;
  output(): string;
  stop(): Promise<void>;
}

/** A port free right now (the OS picks it), for a bot whose callback URL the server must know before the bot runs. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function startExampleBot(file: string, server: TestServer, port: number): Promise<RunningBot> {
  const child: ChildProcess = spawn(process.execPath, [example(file)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      NODE_EXTRA_CA_CERTS: server.sb.caCertPath,
      SWITCHBOARD_GRAPH: server.httpsUrl,
      BOT_PORT: String(port),
    },
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start:\n${out}`)), 20_000);
    child.stdout!.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(() => reject(new Error(`${file} exited before it started:\n${out}`)));
  });
  return {
    url,
    async received() {
      const res = await fetch(url.replace(/\/callback$/, '/received'));
      return ((await res.json()) as { events: BotEvent[] }).events;
    },
    output: () => out,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('example scenarios', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /**
   * A fresh server on the virtual clock whose default app's calling webhook is the example bot, set as the README
   * says: `--callback http://127.0.0.1:<BOT_PORT>/callback`, no world file.
   */
  async function setUp(botFile: string): Promise<{ server: TestServer; bot: RunningBot }> {
    const port = await freePort();
    const callback = resolveConfig(['--callback', `http://127.0.0.1:${port}/callback`], {}).callback;
    const server = await startTestServer(defaultWorld(), { virtual: true, config: { callback } });
    cleanups.push(() => server.close());
    const bot = await startExampleBot(botFile, server, port);
    cleanups.push(() => bot.stop());
    expect(bot.url).toBe(callback);
    return { server, bot };
  }

  async function play(server: TestServer, scenarioFile: string): Promise<string[]> {
    const lines: string[] = [];
    const result = await runScenario(loadScenarioFile(example(scenarioFile)), {
      server: server.httpUrl,
      print: (l) => lines.push(l),
    });
    expect(result.failure, lines.join('\n')).toBeNull();
    expect(result.ok).toBe(true);
    // Every notification it printed was delivered, and each is printed once.
    expect(lines.filter((l) => l.startsWith('  ⇐')).length).toBe(result.notifications.length);
    return lines;
  }

  it('incident bot: Adele joins, Dana declines (603), Nora does not answer (408)', async () => {
    const { server, bot } = await setUp('incident-bot.mjs');
    await play(server, 'incident.scenario.json');
    const events = await bot.received();
    const answers = events.filter((e) => e.type === 'onCallAnswer').map((e) => [e.userId, e.outcome]);
    expect(answers).toEqual([
      [DEFAULT_USERS.adele, 'joined'],
      [DEFAULT_USERS.dana, 'failed 603/10020'],
      [DEFAULT_USERS.nora, 'failed 408/10057'],
    ]);
    expect(events.filter((e) => e.type === 'paged')).toHaveLength(3);
    expect(events.some((e) => e.type === 'error')).toBe(false);
    // The hotline call ended when Alex hung up: the bot got `deleted` with 200/4521.
    expect(
      events.some(
        (e) =>
          e.type === 'received' &&
          e.changeType === 'deleted' &&
          (e.resultInfo as { subcode?: number } | null)?.subcode === 4521,
      ),
    ).toBe(true);
  });

  it('IVR bot: the menu plays, the caller presses 2 (support prompt) then 0 (the bot hangs up)', async () => {
    const { server, bot } = await setUp('ivr-bot.mjs');
    await play(server, 'ivr.scenario.json');
    const events = await bot.received();
    expect(events.some((e) => e.type === 'error')).toBe(false);
    expect(events.filter((e) => e.type === 'pressed').map((e) => e.tone)).toEqual(['tone2', 'tone0']);
    expect(events.filter((e) => e.type === 'prompt').map((e) => [e.prompt, e.status])).toEqual([
      ['menu', 'Completed'],
      ['tone2', 'Completed'],
    ]);
    expect(events.filter((e) => e.type === 'hungUp')).toHaveLength(1);
  });

  it('transfer bot: the caller moves from the peer-to-peer call into the meeting, then leaves it', async () => {
    const { server, bot } = await setUp('transfer-bot.mjs');
    await play(server, 'transfer.scenario.json');
    const events = await bot.received();
    expect(events.filter((e) => e.type === 'moved').map((e) => e.status)).toEqual(['Completed']);
    expect(events.some((e) => e.type === 'error')).toBe(false);
    const p2p = events.find((e) => e.type === 'answered')!.callId as string;
    const p2pStates = events
      .filter((e) => e.type === 'received' && e.resourceUrl === `/communications/calls/${p2p}`)
      .map((e) => `${String(e.changeType)} ${String(e.state)}`);
    expect(p2pStates).toEqual([
      'created incoming',
      'updated establishing',
      'updated established',
      'updated terminated',
      'deleted terminated',
    ]);
  });
});
