import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rulebook, rulebookJsonSchema } from '../../../lib/rules/schema';

/** The README's commented example, comments stripped, so the documentation cannot drift from the schema. */
function readmeExample(): unknown {
  const md = readFileSync(new URL('../../../rulebooks/README.md', import.meta.url), 'utf8');
  const block = /```jsonc\n([\s\S]*?)```/.exec(md)?.[1];
  if (!block) throw new Error('README has no jsonc example');
  return JSON.parse(stripLineComments(block));
}

/** Drops `// …` outside strings, line by line. */
function stripLineComments(src: string): string {
  return src
    .split('\n')
    .map((line) => {
      let inString = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (c === '\\' && inString) i++;
        else if (c === '"') inString = !inString;
        else if (!inString && c === '/' && line[i + 1] === '/') return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
}

describe('rulebook schema', () => {
  it('accepts the documented example', () => {
    const r = Rulebook.safeParse(readmeExample());
    expect(r.success ? [] : r.error.issues).toEqual([]);
  });

  it('reports problems with their paths', () => {
    const bad = readmeExample() as { rules: Record<string, unknown>[] };
    bad.rules[0]!.severity = 'fatal';
    (bad.rules[1]!.when as Record<string, unknown>).within = { turns: -1 };
    const r = Rulebook.safeParse(bad);
    expect(r.success).toBe(false);
    const paths = r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('rules.0.severity');
    expect(paths).toContain('rules.1.when.within.turns');
  });

  it('emits a JSON Schema with the recursive condition tree', () => {
    const js = rulebookJsonSchema() as { $defs: Record<string, { oneOf?: unknown[] }> };
    expect(js.$defs.Condition?.oneOf?.length).toBeGreaterThanOrEqual(17);
    const onDisk = JSON.parse(
      readFileSync(new URL('../../../schema/rulebook.schema.json', import.meta.url), 'utf8'),
    );
    expect(onDisk).toEqual(js);
  });
});
