import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/**
 * Imports flow one way: src/ wires everything; adapters/, conversations/ and knowledge/ never import src/;
 * conversations/ knows only the ports (adapters/types, adapters/desk), never an adapter; knowledge/ stands alone.
 */
const ROOT = resolve(__dirname, '..');
const RULES: Record<string, (target: string) => boolean> = {
  adapters: (t) => !t.startsWith('src/') && !t.startsWith('conversations/') && !t.startsWith('knowledge/'),
  conversations: (t) => !t.startsWith('src/') && !t.startsWith('knowledge/') && (!t.startsWith('adapters/') || t === 'adapters/types' || t === 'adapters/desk'),
  knowledge: (t) => !t.startsWith('src/') && !t.startsWith('adapters/') && !t.startsWith('conversations/'),
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'public') return [];
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

describe('architecture', () => {
  it.each(Object.keys(RULES))('%s/ imports only what it may', (folder) => {
    const violations: string[] = [];
    for (const file of tsFiles(join(ROOT, folder))) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/(?:from\s+|import\(|require\()['"](\.[^'"]+)['"]/g)) {
        const target = relative(ROOT, resolve(file, '..', match[1]!)).replace(/\\/g, '/').replace(/\.ts$/, '');
        if (!RULES[folder]!(target)) violations.push(`${relative(ROOT, file)} → ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('console/ (browser code) shares only types with the server', () => {
    const violations: string[] = [];
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : /\.tsx?$/.test(path) ? [path] : [];
      });
    for (const file of walk(join(ROOT, 'console/src'))) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/^import\s+(type\s+)?[^'"]*from\s+['"](\.[^'"]+)['"]/gm)) {
        const target = relative(ROOT, resolve(file, '..', match[2]!)).replace(/\\/g, '/');
        if (target.startsWith('console/')) continue;
        if (match[1] && target === 'src/http/console/api-types') continue;
        violations.push(`${relative(ROOT, file)} → ${target}${match[1] ? '' : ' (not a type-only import)'}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
