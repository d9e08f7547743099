/**
 * The layer rules of eslint.config.js (`no-restricted-imports` per folder) refuse the imports ARCHITECTURE.md forbids,
 * and the tree keeps them. Only that rule is run (with the TypeScript parser, no type information), taken from the
 * effective configuration ESLint computes for each path, so this checks the real config quickly; `npm run lint`
 * runs it with everything else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const eslint = new ESLint({ cwd: root });
const linter = new Linter({ configType: 'flat' });
const ruleFor = new Map<string, Linter.RuleEntry | undefined>();

/** The effective `no-restricted-imports` setting for files of `folder` (what `npm run lint` applies there). */
async function loadRule(folder: string): Promise<void> {
  const config = (await eslint.calculateConfigForFile(join(root, folder, 'any.ts'))) as Linter.Config | undefined;
  ruleFor.set(folder, config?.rules?.['no-restricted-imports']);
}

/** The boundary messages for `code` as a file of `folder`. */
function violations(folder: string, code: string): string[] {
  const rule = ruleFor.get(folder);
  if (!rule) return [];
  const config: Linter.Config[] = [
    { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, rules: { 'no-restricted-imports': rule } },
  ];
  return linter.verify(code, config, { filename: join(root, folder, 'probe.ts') }).map((m) => m.message);
}

const FOLDERS = ['src/domain', 'src/api', 'src/sim', 'src/http'];

describe('layer boundaries (eslint.config.js)', () => {
  beforeAll(async () => {
    for (const folder of [...FOLDERS, 'src/service']) await loadRule(folder);
  });

  it.each([
    ['src/domain', "import type { Directory } from '../sim/directory.js';"],
    ['src/domain', "export type { Tx } from '../store/store.js';"],
    ['src/domain', "import { readFileSync } from 'node:fs';"],
    ['src/domain', "import { Ajv } from 'ajv';"],
    ['src/domain', "import { x } from './../service/people.js';"],
    ['src/api', "import type { Tx } from '../store/store.js';"],
    ['src/api', "import { contract } from '../../store/sqlite/store.js';"],
    ['src/sim', "import { GraphError } from '../api/errors.js';"],
    ['src/sim', "import type { GraphDeps } from '../api/context.js';"],
    ['src/http', "import { authenticate } from '../api/context.js';"],
    ['src/http', "import type { Directory } from '../sim/directory.js';"],
  ])('%s refuses %s', (folder, code) => {
    expect(violations(folder, code)).toEqual([
      expect.stringMatching(new RegExp(`^'[^']+' import is restricted from being used by a pattern\\. ${folder}`)),
    ]);
  });

  it.each([
    [
      'src/domain',
      "import type { ResultInfo } from '@microsoft/microsoft-graph-types';\nimport { reject } from './rejections.js';",
    ],
    [
      'src/api',
      "import type { CallingService } from '../service/calling-service.js';\nimport { GraphError } from '../http/errors.js';",
    ],
    ['src/sim', "import { GraphError } from '../http/errors.js';\nimport type { Tx } from '../store/store.js';"],
    ['src/http', "import { reject } from '../domain/rejections.js';\nimport { Ajv } from 'ajv';"],
    [
      'src/service',
      "import type { Tx } from '../store/store.js';\nimport type { Directory } from '../sim/directory.js';",
    ],
  ])('%s allows %s', (folder, code) => {
    expect(violations(folder, code)).toEqual([]);
  });

  it.each(FOLDERS)('every file of %s keeps the rule', (folder) => {
    const files = readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    expect(files.length).toBeGreaterThan(0);
    const broken = files.flatMap((f) =>
      violations(folder, readFileSync(join(root, folder, f), 'utf8')).map((m) => `${f}: ${m}`),
    );
    expect(broken).toEqual([]);
  });
});
