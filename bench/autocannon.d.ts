/**
 * The slice of autocannon 8's API the bench uses (@types/autocannon is not installed). Shapes follow
 * node_modules/autocannon/lib/{run,httpClient,requestIterator,aggregateResult}.js.
 */
declare module 'autocannon' {
  export interface RequestParams {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  }

  export interface Request extends RequestParams {
    /** Called right before the request is written (except a connection's first, built when the client is made). */
    setupRequest?: (req: RequestParams, context: Record<string, unknown>) => RequestParams | null | undefined;
    onResponse?: (
      status: number,
      body: string,
      context: Record<string, unknown>,
      headers: Record<string, string | string[]>,
    ) => void;
  }

  export interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    pipelining?: number;
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    requests?: Request[];
    overallRate?: number;
    connectionRate?: number;
    ignoreCoordinatedOmission?: boolean;
    excludeErrorStats?: boolean;
    setupClient?: (client: unknown) => void;
  }

  export interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p99: number;
    p99_9: number;
    [key: string]: number;
  }

  export interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    resets: number;
    statusCodeStats: Record<string, { count: number }>;
    latency: Histogram;
    requests: Histogram & { sent: number };
    throughput: Histogram;
    totalCompletedRequests?: number;
  }

  /** The raw result `run` hands back off the main thread (histograms still encoded). */
  export type RawResult = Record<string, unknown>;

  interface Autocannon {
    (opts: Options): Promise<Result | RawResult>;
    aggregateResult(results: RawResult[], opts: Options): Result;
  }

  const autocannon: Autocannon;
  export default autocannon;
}
