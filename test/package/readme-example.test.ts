/**
 * The README's bot test is examples/embed/bot.test.mjs verbatim (the file `npm run test:package` runs against the
 * packed package), so the README never shows code that was not run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The fenced block right after `<!-- path -->` in the README. */
export function includedBlock(readme: string, path: string): string | null {
  const m = new RegExp(
    `<!-- ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\`\\n`,
  ).exec(readme);
  return m ? m[1]! : null;
}

describe('README example', () => {
  it('finds the block after its marker, and only there', () => {
    expect(includedBlock('x\n<!-- a/b.mjs -->\n```js\nconst a = 1;\n```\n', 'a/b.mjs')).toBe('const a = 1;\n');
    expect(includedBlock('x\n```js\nconst a = 1;\n```\n', 'a/b.mjs')).toBeNull();
  });

  it('the README shows examples/embed/bot.test.mjs exactly', () => {
    expect(includedBlock(read('README.md'), 'examples/embed/bot.test.mjs')).toBe(read('examples/embed/bot.test.mjs'));
  });
});
