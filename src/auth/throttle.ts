/**
 * Graph's request limits for the calling API (guarantee 5): per app in a tenant, per app across tenants and per
 * tenant across apps, each a fixed window. Counted after authentication, since the limits are per app and tenant.
 */
import { RateLimiter, type RateLimit } from './rate-limit.js';

export interface ThrottleLimits {
  /** Requests of one app in one tenant (Graph: 50,000 per 15 s for calls). */
  appTenant: RateLimit | null;
  /** Requests of one app across all tenants (Graph's global limit: 130,000 per 10 s). */
  app: RateLimit | null;
  /** Requests of all apps in one tenant (Graph publishes none for calls). */
  tenant: RateLimit | null;
}

export interface Throttled {
  retryAfterMs: number;
  /** Graph's `x-ms-throttle-scope`: `<Scope>/<Limit>/<ApplicationId>/<TenantId>`. */
  scope: string;
}

export class GraphThrottle {
  private readonly limiters: {
    name: 'Tenant_Application' | 'Application' | 'Tenant';
    limiter: RateLimiter;
    key: (appId: string, tenantId: string) => string;
  }[] = [];

  constructor(limits: ThrottleLimits, clock: { now(): number }) {
    if (limits.appTenant)
      this.limiters.push({
        name: 'Tenant_Application',
        limiter: new RateLimiter(limits.appTenant, clock),
        key: (a, t) => `${a}/${t}`,
      });
    if (limits.app)
      this.limiters.push({ name: 'Application', limiter: new RateLimiter(limits.app, clock), key: (a) => a });
    if (limits.tenant)
      this.limiters.push({ name: 'Tenant', limiter: new RateLimiter(limits.tenant, clock), key: (_a, t) => t });
  }

  /** Counts one request of the app in the tenant; the first exhausted limit throttles it. */
  take(principal: { appId: string; tenantId: string }): Throttled | null {
    const appId = principal.appId.toLowerCase();
    const tenantId = principal.tenantId.toLowerCase();
    for (const { name, limiter, key } of this.limiters) {
      const wait = limiter.take(key(appId, tenantId));
      if (wait !== null) return { retryAfterMs: wait, scope: `${name}/ReadWrite/${appId}/${tenantId}` };
    }
    return null;
  }
}
