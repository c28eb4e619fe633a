/** Every shipped rulebook compiles and every rule's examples behave (issue 4). */
import { readdirSync, readFileSync } from 'node:fs';
import * as OpenCC from 'opencc-js';
import { describe, expect, it } from 'vitest';
import { checkExamples, compileRulebook, playExample } from '../../../lib/rules';
import type { Example } from '../../../lib/rules/schema';

const dir = new URL('../../../rulebooks/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });

describe.each(files)('rulebooks/%s', (file) => {
  const json = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
  const result = compileRulebook(json);

  it('compiles', () => {
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('fires on every fire example and on no noFire example', () => {
    if (!result.ok) throw new Error('does not compile');
    expect(checkExamples(result.compiled)).toEqual([]);
  });

  it('still fires when the fire examples are written in Traditional characters', () => {
    if (!result.ok) throw new Error('does not compile');
    const misses: string[] = [];
    for (const rule of result.compiled.rules)
      rule.source.examples.fire.forEach((ex, i) => {
        const traditional: Example = ex.map((t) => ({ ...t, text: toTraditional(t.text) }));
        if (!playExample(result.compiled, traditional).some((h) => h.ruleId === rule.id))
          misses.push(`${rule.id}#${i}`);
      });
    expect(misses).toEqual([]);
  });

  it('has ids namespaced by the rulebook and names in every language', () => {
    for (const rule of json.rules) {
      expect(rule.id.startsWith(`${json.id}.`)).toBe(true);
      for (const text of [rule.name, rule.description])
        expect(Object.keys(text).sort()).toEqual(['en', 'zh_CN', 'zh_TW']);
    }
  });
});

it('ships the four default rulebooks', () => {
  expect(files.sort()).toEqual(
    expect.arrayContaining(['ecommerce.json', 'finance.json', 'general.json', 'telecom.json']),
  );
});
