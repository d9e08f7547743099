/** Types of derive-wire-properties.mjs (plain Node ESM) for the TypeScript test that runs it. */
export const CSDL_FILE: string;
export const BETA_CSDL_FILE: string;
export const MODULE_FILE: string;
export const RENDERED_TYPES: readonly string[];
export function propertiesOf(schema: Record<string, unknown>, name: string): [string, boolean][];
export function graphSchema(csdlXml: string): Record<string, unknown>;
export function isOpen(schema: Record<string, unknown>, name: string): boolean;
export function deriveWireProperties(csdlXml: string, betaCsdlXml: string): string;
