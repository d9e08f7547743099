/** Types of extract-graph-types.mjs (plain Node ESM) for the TypeScript test that runs it. */
export const EXTRACT_FILE: string;
export function extractTypes(csdl: string, names?: readonly string[]): string;
