/** Types of derive-calls-openapi.mjs (plain Node ESM) for the TypeScript test that runs it. */

export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  servers: { url: string }[];
  tags?: unknown[];
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> } & Record<string, unknown>;
}

export interface ConverterOptions {
  readonly rootResourcesToKeep: readonly string[];
  readonly basePath: string;
  readonly host: string;
  readonly skipBatchPath: boolean;
  readonly openapiVersion: string;
}

export const METADATA_DIR: URL;
export const CSDL_FILE: string;
export const OPENAPI_FILE: string;
export const CONVERTER_OPTIONS: ConverterOptions;

export function namespacesOf(csdlJson: Record<string, unknown>): Map<string, string>;
export function reduceToCalls(
  openapi: OpenApiDocument,
  namespaces: Map<string, string>,
  options?: ConverterOptions,
): OpenApiDocument;
export function deriveCallsOpenApi(csdlXml: string): { document: OpenApiDocument; messages: string[] };
export function serializeOpenApi(document: OpenApiDocument): string;
