/** Request limits on a movable clock: fixed windows per key, Graph's three scopes, and config syntax. */
import { describe, expect, it } from 'vitest';
import { formatRateLimit, parseRateLimit, RateLimiter, retryAfterSeconds } from '../../src/auth/rate-limit.js';
import { GraphThrottle } from '../../src/auth/throttle.js';

const clockAt = (start = 1_000_000): { now(): number; advance(ms: number): void } => {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
};

describe('RateLimiter', () => {
  it('serves `requests` per window, then says how long until the window resets', () => {
    const clock = clockAt();
    const limiter = new RateLimiter({ requests: 2, windowMs: 1000 }, clock);
    expect(limiter.take('a')).toBeNull();
    clock.advance(300);
    expect(limiter.take('a')).toBeNull();
    expect(limiter.take('a')).toBe(700);
    expect(limiter.take('b')).toBeNull();
    clock.advance(699);
    expect(limiter.take('a')).toBe(1);
    clock.advance(1);
    expect(limiter.take('a')).toBeNull();
  });

  it('parses and prints limits', () => {
    expect(parseRateLimit('50000/15s')).toEqual({ requests: 50_000, windowMs: 15_000 });
    expect(parseRateLimit('200/1m')).toEqual({ requests: 200, windowMs: 60_000 });
    expect(parseRateLimit('5/250ms')).toEqual({ requests: 5, windowMs: 250 });
    expect(parseRateLimit('off')).toBeNull();
    expect(() => parseRateLimit('fast')).toThrow(/50000\/15s/);
    expect(() => parseRateLimit('0/1s')).toThrow(/at least 1 request/);
    expect(formatRateLimit({ requests: 130_000, windowMs: 10_000 })).toBe('130000/10s');
    expect(formatRateLimit(null)).toBe('off');
    expect(retryAfterSeconds(2128)).toBe('2.128');
    expect(retryAfterSeconds(0.2)).toBe('0.001');
  });
});

describe('GraphThrottle', () => {
  const A = { appId: 'APP-A', tenantId: 'T1' };
  const B = { appId: 'app-b', tenantId: 't1' };
  const A2 = { appId: 'app-a', tenantId: 't2' };

  it('limits an app in a tenant, apps and tenants independently, whatever the case of the ids', () => {
    const clock = clockAt();
    const t = new GraphThrottle({ appTenant: { requests: 2, windowMs: 1000 }, app: null, tenant: null }, clock);
    expect(t.take(A)).toBeNull();
    expect(t.take({ appId: 'app-a', tenantId: 't1' })).toBeNull();
    expect(t.take(A)).toEqual({ retryAfterMs: 1000, scope: 'Tenant_Application/ReadWrite/app-a/t1' });
    expect(t.take(B)).toBeNull();
    expect(t.take(A2)).toBeNull();
    clock.advance(1000);
    expect(t.take(A)).toBeNull();
  });

  it('limits an app across its tenants', () => {
    const t = new GraphThrottle({ appTenant: null, app: { requests: 2, windowMs: 1000 }, tenant: null }, clockAt());
    expect(t.take(A)).toBeNull();
    expect(t.take(A2)).toBeNull();
    expect(t.take(A)?.scope).toBe('Application/ReadWrite/app-a/t1');
    expect(t.take(B)).toBeNull();
  });

  it('limits a tenant across its apps', () => {
    const t = new GraphThrottle(
      { appTenant: { requests: 10, windowMs: 1000 }, app: null, tenant: { requests: 2, windowMs: 1000 } },
      clockAt(),
    );
    expect(t.take(A)).toBeNull();
    expect(t.take(B)).toBeNull();
    expect(t.take(A)?.scope).toBe('Tenant/ReadWrite/app-a/t1');
    expect(t.take(B)?.scope).toBe('Tenant/ReadWrite/app-b/t1');
    expect(t.take(A2)).toBeNull();
  });

  it('with every limit off, never throttles', () => {
    const t = new GraphThrottle({ appTenant: null, app: null, tenant: null }, clockAt());
    for (let i = 0; i < 1000; i++) expect(t.take(A)).toBeNull();
  });
});
