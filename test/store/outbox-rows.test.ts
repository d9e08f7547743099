import { describe, expect, it } from 'vitest';
import {
  notificationSummaryOf,
  storedBodyOf,
  toOutboxRow,
  withKnownSummary,
  type OutboxRecord,
} from '../../src/store/outbox-rows.js';
import { bodyTextOf } from './fixtures.js';

// Stored text that JSON.stringify of the parsed body would not reproduce (spaces), so the tests tell the two apart.
const STORED = '{ "value": [ { "changeType": "updated" } ] }';

const record = (): OutboxRecord => ({
  seq: 7,
  message_id: 'm-7',
  call_id: 'call-1',
  tenant_id: 't',
  app_id: 'a',
  callback_uri: 'https://bot.example/cb',
  body: STORED,
  created_at: 1,
  attempts: 0,
  next_attempt_at: 1,
  delivered_at: null,
  dead_at: null,
  last_error: null,
  requeued_at: null,
});

describe('outbox rows: the body as stored', () => {
  it('sends the stored text of a body nobody read, without parsing it', () => {
    expect(bodyTextOf(toOutboxRow(record()))).toBe(STORED);
  });

  it('reads the body as the parsed JSON, and equals a row built by hand', () => {
    const row = toOutboxRow(record());
    expect(row.body).toEqual({ value: [{ changeType: 'updated' }] });
    expect({ ...row }).toEqual({
      seq: 7,
      messageId: 'm-7',
      callId: 'call-1',
      tenantId: 't',
      appId: 'a',
      callbackUri: 'https://bot.example/cb',
      body: { value: [{ changeType: 'updated' }] },
      createdAt: 1,
      attempts: 0,
      nextAttemptAt: 1,
      deliveredAt: null,
      deadAt: null,
      lastError: null,
      requeuedAt: null,
    });
  });

  it('serializes a body once it was read (it may have changed) or replaced', () => {
    const read = toOutboxRow(record());
    (read.body.value as unknown[]).push({ changeType: 'deleted' });
    expect(bodyTextOf(read)).toBe('{"value":[{"changeType":"updated"},{"changeType":"deleted"}]}');
    const replaced = toOutboxRow(record());
    replaced.body = { value: [] };
    expect(bodyTextOf(replaced)).toBe('{"value":[]}');
    expect(bodyTextOf({ body: { a: 1 } })).toBe('{"a":1}');
  });

  it('hands out the bytes SQLite keeps as they are, and reads them as the same JSON', () => {
    const bytes = Buffer.from(STORED, 'utf8');
    const row = toOutboxRow({ ...record(), body: bytes });
    expect(storedBodyOf(row)).toBe(bytes);
    expect(bodyTextOf(row)).toBe(STORED);
    expect(row.body).toEqual({ value: [{ changeType: 'updated' }] });
    // Once read, the row's body may change: it is serialized again, not sent as the bytes.
    expect(storedBodyOf(row)).toBe('{"value":[{"changeType":"updated"}]}');
  });

  it("summarizes a row's items for the log line: from what the store knew, else from the body", () => {
    const known = { changeTypes: ['deleted'], resources: ['/known'] };
    const row = withKnownSummary(toOutboxRow(record()), known);
    expect(notificationSummaryOf(row)).toBe(known);
    expect(storedBodyOf(row)).toBe(STORED); // still unread: the summary did not parse it
    // Once the body is read it may change: the summary comes from the body then.
    (row.body.value as { changeType: string; resourceUrl?: string }[])[0]!.resourceUrl = '/read';
    expect(notificationSummaryOf(row)).toEqual({ changeTypes: ['updated'], resources: ['/read'] });
    expect(notificationSummaryOf(toOutboxRow(record()))).toEqual({
      changeTypes: ['updated'],
      resources: ['undefined'],
    });
    expect(notificationSummaryOf({ body: { not: 'a notification' } })).toEqual({ changeTypes: [], resources: [] });
  });
});
