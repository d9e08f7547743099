/** --log-format: JSON lines for machines, one readable line for a person at a terminal, `auto` choosing between them. */
import { describe, expect, it } from 'vitest';
import { createLogger, formatPretty, logFunction, type LoggerOptions } from '../../src/log.js';

function written(opts: Omit<LoggerOptions, 'destination'>, log: (l: ReturnType<typeof createLogger>) => void): string {
  let out = '';
  log(createLogger({ ...opts, destination: { write: (s: string) => void (out += s) } }));
  return out;
}

const REQUEST = {
  method: 'POST',
  path: '/v1.0/communications/calls',
  status: 201,
  ms: 12.3,
  appId: 'app-1',
  callId: 'call-9',
  requestId: 'req-1',
};

describe('log formats', () => {
  it('json: one JSON object per line, level as a word, ISO time, no pid or hostname', () => {
    const out = written({ level: 'info', format: 'json' }, (l) =>
      l.info(REQUEST, 'POST /v1.0/communications/calls 201 12.3 ms'),
    );
    const lines = out.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', msg: 'POST /v1.0/communications/calls 201 12.3 ms', ...REQUEST });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
    expect(line).not.toHaveProperty('pid');
    expect(line).not.toHaveProperty('hostname');
  });

  it('pretty: time, level, message, then only the fields the message does not already say', () => {
    const out = written({ level: 'info', format: 'pretty', colors: false }, (l) =>
      l.info(REQUEST, 'POST /v1.0/communications/calls 201 12.3 ms'),
    );
    expect(out).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}POST \/v1\.0\/communications\/calls 201 12\.3 ms {2}appId=app-1 callId=call-9\n$/,
    );
    // A call id that is in the path is not repeated.
    const get = written({ level: 'info', format: 'pretty', colors: false }, (l) =>
      l.info(
        { ...REQUEST, method: 'GET', path: '/v1.0/communications/calls/call-9' },
        'GET /v1.0/communications/calls/call-9 200 1 ms',
      ),
    );
    expect(get).toMatch(/ GET \/v1\.0\/communications\/calls\/call-9 200 1 ms {2}appId=app-1\n$/);
  });

  it('pretty: a delivery line says its outcome once; an error stack goes below its line', () => {
    const msg = 'notification updated /communications/calls/c1 → HTTP 500 (attempt 2, 3 ms), retry in 2 s';
    const fields = {
      callId: 'c1',
      messageId: 'm1',
      changeTypes: ['updated'],
      resources: ['/communications/calls/c1'],
      status: 500,
      error: 'HTTP 500',
      attempt: 2,
      ms: 3,
      callbackUri: 'http://bot/cb',
      retryInMs: 2000,
    };
    expect(
      formatPretty(JSON.stringify({ level: 'warn', time: new Date().toISOString(), msg, ...fields }), false),
    ).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  ${msg.replace(/[()/.]/g, '\\$&')}\\n$`));
    const err = new Error('boom');
    const out = written({ level: 'info', format: 'pretty', colors: false }, (l) => l.error({ err }, 'GET /x failed'));
    const [head, ...stack] = out.trimEnd().split('\n');
    expect(head).toMatch(/ ERROR GET \/x failed$/);
    expect(stack[0]).toBe('    Error: boom');
  });

  it('pretty with colours marks the level; NO_COLOR-style plain output has no escape codes', () => {
    expect(written({ level: 'info', format: 'pretty', colors: true }, (l) => l.warn('careful'))).toContain(
      '\x1b[33mWARN ',
    );
    expect(written({ level: 'info', format: 'pretty', colors: false }, (l) => l.warn('careful'))).not.toContain(
      '\x1b[',
    );
  });

  it('auto: pretty on a terminal, JSON otherwise', () => {
    expect(written({ level: 'info', format: 'auto', tty: true, colors: false }, (l) => l.info('hello'))).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}hello\n$/,
    );
    expect(JSON.parse(written({ level: 'info', format: 'auto', tty: false }, (l) => l.info('hello')))).toMatchObject({
      level: 'info',
      msg: 'hello',
    });
  });

  it('levels: silent writes nothing; warn drops info and debug; the log function keeps its fields', () => {
    expect(written({ level: 'silent', format: 'json' }, (l) => l.error('x'))).toBe('');
    const out = written({ level: 'warn', format: 'json' }, (l) => {
      const log = logFunction(l);
      log('info', 'not shown');
      log('debug', 'not shown');
      log('warn', 'shown', { seq: 3 });
      log('error', 'a plain value', 'detail');
    });
    expect(
      out
        .split('\n')
        .filter(Boolean)
        .map((s) => JSON.parse(s) as unknown),
    ).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'shown', seq: 3 }),
      expect.objectContaining({ level: 'error', msg: 'a plain value', data: 'detail' }),
    ]);
  });
});
