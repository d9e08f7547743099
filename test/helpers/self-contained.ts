/**
 * Finds code that reads a path outside the repository (test/metadata/self-contained.test.ts states the rules).
 *
 * Only string literals of the code are read, through TypeScript's parser: comments are not code, so a comment may
 * cite a design document by name. Template literals count too: their first part as a path, every part for the
 * name rules.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The folders whose code is checked, and the root's own config files. */
export const CHECKED_FOLDERS = ['src', 'test', 'bench', 'examples', 'scripts', 'bin'];
const CODE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);
/** Build output, installed packages and run-time scratch: not source. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', '.switchboard', '.tmp']);

/** `/work/…`, also as a file URL: the development machine's layout, which no clone has. */
const MACHINE_PATH = /(?:^|file:\/\/)\/work(?:\/|$)/;
/** The design input folder beside the repository on the development machine. */
const SPEC_FOLDER = /shared\/spec/;

export interface Problem {
  file: string;
  line: number;
  text: string;
  why: string;
}

/** Every code file under the checked folders, plus the root's `*.config.*` files; paths relative to the root. */
export function codeFiles(root = REPO_ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(rel);
      } else if (CODE_EXTENSIONS.has(extname(entry.name))) {
        out.push(rel);
      }
    }
  };
  for (const folder of CHECKED_FOLDERS) {
    if (readdirSync(root).includes(folder)) walk(folder);
  }
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.isFile() && /\.config\.[cm]?[jt]s$/.test(entry.name)) out.push(entry.name);
  }
  return out.sort();
}

/**
 * The directories a file's relative paths are resolved from: where it runs. src/ runs as TypeScript under the
 * tests and compiled from dist/src/ (`npm start`, the package); bench/ runs compiled from dist/bench/ only
 * (`npm run bench` builds it first, and its paths are written for that place).
 */
export function runDirectories(file: string): string[] {
  const dir = dirname(file);
  const top = file.split(/[\\/]/)[0];
  if (top === 'src') return [dir, join('dist', dir)];
  if (top === 'bench') return [join('dist', dir)];
  return [dir];
}

/** `./x`, `../x`, `.`, `..`, or any path with a `..` segment. */
function isRelativePath(text: string): boolean {
  return /^\.\.?(?:\/|$)/.test(text) || /(?:^|\/)\.\.(?:\/|$)/.test(text);
}

function escapes(root: string, runDir: string, path: string): string | undefined {
  const absolute = resolve(root, runDir, path);
  const rel = relative(root, absolute);
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? absolute : undefined;
}

/** Problems in one file's text; `file` is relative to `root` and decides where its paths resolve from. */
export function scanSource(file: string, text: string, root = REPO_ROOT): Problem[] {
  const ext = extname(file);
  const kind = ext === '.ts' || ext === '.mts' || ext === '.cts' ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const problems: Problem[] = [];
  const report = (node: ts.Node, literal: string, why: string): void => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    problems.push({ file, line, text: literal, why });
  };
  const checkPath = (node: ts.Node, path: string): void => {
    if (!isRelativePath(path)) return;
    for (const runDir of runDirectories(file)) {
      const outside = escapes(root, runDir, path);
      if (outside) report(node, path, `resolves to ${outside} from ${runDir}/, outside the repository`);
    }
  };
  const checkNames = (node: ts.Node, literal: string): void => {
    if (MACHINE_PATH.test(literal)) report(node, literal, "names /work/, the development machine's folder");
    if (SPEC_FOLDER.test(literal)) report(node, literal, 'names the spec folder of the design input (shared/…/spec)');
  };
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      checkPath(node, node.text);
      checkNames(node, node.text);
    } else if (ts.isTemplateExpression(node)) {
      checkPath(node, node.head.text);
      for (const part of [node.head, ...node.templateSpans.map((s) => s.literal)]) checkNames(node, part.text);
    } else if (ts.isCallExpression(node)) {
      // path.join/resolve(base, '..', '..', 'x'): each piece is harmless alone, together they climb.
      const callee = ts.isPropertyAccessExpression(node.expression)
        ? node.expression.name.text
        : ts.isIdentifier(node.expression)
          ? node.expression.text
          : '';
      if (callee === 'join' || callee === 'resolve') {
        const first = node.arguments.findIndex((a) => ts.isStringLiteralLike(a));
        const pieces: string[] = [];
        for (const arg of node.arguments.slice(first < 0 ? node.arguments.length : first)) {
          if (!ts.isStringLiteralLike(arg)) break;
          pieces.push(arg.text);
        }
        if (pieces.length > 1) checkPath(node, pieces.join('/'));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return problems;
}

export function scanRepository(root = REPO_ROOT): { files: string[]; problems: Problem[] } {
  const files = codeFiles(root);
  const problems = files.flatMap((file) => scanSource(file, readFileSync(join(root, file), 'utf8'), root));
  return { files, problems };
}
