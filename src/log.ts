/**
 * The one logger: a pino logger made in main.ts and handed to Fastify (request lines), the notification dispatcher
 * (delivery lines), the timer loop, world sync and the store. Lines go to stderr (stdout carries the banner), as JSON
 * lines or, for a person at a terminal, as one short readable line each:
 *
 *   json    {"level":"info","time":"2026-…Z","msg":"POST /v1.0/communications/calls 201 12.3 ms","method":"POST",…}
 *   pretty  19:20:01.123 INFO  POST /v1.0/communications/calls 201 12.3 ms  appId=… callId=…
 *
 * `auto` (the default) is pretty when stderr is a terminal, JSON otherwise (a pipe, a file, a container's log).
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'auto' | 'pretty' | 'json';
export type { Logger };

/** What the dispatcher, timer loop, world sync and store call: a level, a sentence, and fields. */
export type LogFunction = (level: 'error' | 'warn' | 'info' | 'debug', msg: string, data?: unknown) => void;

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go (tests collect them); default stderr. Pretty lines are written to it as text. */
  destination?: DestinationStream;
  /** Colours in pretty lines; default: when stderr is a terminal and NO_COLOR is not set. */
  colors?: boolean;
  /** Whether stderr is a terminal (decides `auto`); default: asks process.stderr. */
  tty?: boolean;
}

export function createLogger(opts: LoggerOptions): Logger {
  const tty = opts.tty ?? process.stderr.isTTY === true;
  const pretty = opts.format === 'pretty' || (opts.format === 'auto' && tty);
  // Synchronous writes: a line is out before the process exits, and in order with the banner and console output.
  const out = opts.destination ?? pino.destination({ dest: 2, sync: true });
  const colors = opts.colors ?? (tty && opts.destination === undefined && !process.env.NO_COLOR);
  return pino(
    {
      level: opts.level,
      // No pid and hostname on every line: one local process.
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pretty ? prettyStream(out, colors) : out,
  );
}

/** The dispatcher's, timer loop's and world sync's `log(level, msg, data)` on top of the logger. */
export function logFunction(logger: Logger): LogFunction {
  return (level, msg, data) => {
    if (!logger.isLevelEnabled(level)) return;
    if (data === undefined) logger[level](msg);
    else logger[level](typeof data === 'object' && data !== null ? data : { data }, msg);
  };
}

/**
 * Fields a request or delivery line already says in its message, or that are for machines (ids nobody reads at a
 * terminal): the pretty format leaves them out; JSON keeps them, for filtering.
 */
const SAID_IN_MESSAGE = new Set([
  'time',
  'level',
  'msg',
  'method',
  'path',
  'status',
  'ms',
  'attempt',
  'changeTypes',
  'resources',
  'requestId',
  'messageId',
  'callbackUri',
  'retryInMs',
]);

const LEVEL_STYLE: Record<string, [label: string, color: string]> = {
  trace: ['TRACE', '\x1b[90m'],
  debug: ['DEBUG', '\x1b[90m'],
  info: ['INFO ', '\x1b[32m'],
  warn: ['WARN ', '\x1b[33m'],
  error: ['ERROR', '\x1b[31m'],
  fatal: ['FATAL', '\x1b[41m'],
};

/** One JSON line from pino → one readable line: `HH:MM:SS.mmm LEVEL message  key=value …`; a stack goes below it. */
export function formatPretty(line: string, colors: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const time = typeof entry.time === 'string' ? new Date(entry.time) : new Date();
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${String(time.getMilliseconds()).padStart(3, '0')}`;
  const [label, color] = LEVEL_STYLE[String(entry.level)] ?? [String(entry.level).toUpperCase().padEnd(5), ''];
  const msg = typeof entry.msg === 'string' ? entry.msg : '';
  const fields: string[] = [];
  const below: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (SAID_IN_MESSAGE.has(key) || value === undefined || value === null) continue;
    // Never repeat what the message already says (a call id in a path, an error in a delivery line).
    if (typeof value === 'string' && value !== '' && msg.includes(value)) continue;
    const err = value as { stack?: unknown; message?: unknown };
    if (typeof err === 'object' && typeof err.stack === 'string') below.push(err.stack);
    else if (typeof value === 'string' && value.includes('\n')) below.push(value);
    else fields.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  const dim = (s: string): string => (colors ? `\x1b[2m${s}\x1b[0m` : s);
  const level = colors ? `${color}${label}\x1b[0m` : label;
  const head = `${dim(clock)} ${level} ${msg}${fields.length > 0 ? `  ${dim(fields.join(' '))}` : ''}`;
  return `${[head, ...below.map((b) => b.replace(/^/gm, '    '))].join('\n')}\n`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** A pino destination writing each line in the pretty format to `out`. */
export function prettyStream(out: DestinationStream, colors: boolean): DestinationStream {
  return { write: (line: string) => void out.write(formatPretty(line, colors)) };
}
