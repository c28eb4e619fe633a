import { type CompiledRulebook, compileRulebook, type Hit, playExample } from '../../../lib/rules';
import type { Example } from '../../../lib/rules/schema';

const L = (s: string) => ({ zh_CN: s, zh_TW: s, en: s });
const placeholder: Example = [{ speaker: 'agent', text: 'x' }];

/** A one-rule rulebook around a condition, for engine tests. */
export function book(when: unknown, extra: Record<string, unknown> = {}) {
  return {
    schemaVersion: 1,
    id: 'test',
    version: '1',
    name: L('test'),
    rules: [
      {
        id: 'r',
        name: L('rule'),
        description: L('rule'),
        category: 'forbidden',
        severity: 'warning',
        when,
        examples: { fire: [placeholder], noFire: [placeholder] },
        ...extra,
      },
    ],
  };
}

export function compile(json: unknown): CompiledRulebook {
  const r = compileRulebook(json);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.compiled;
}

type Turn = Example[number];
export const agent = (text: string, more: Partial<Turn> = {}): Turn => ({ speaker: 'agent', text, ...more });
export const customer = (text: string, more: Partial<Turn> = {}): Turn => ({
  speaker: 'customer',
  text,
  ...more,
});

export function fires(when: unknown, turns: Example, extra?: Record<string, unknown>): Hit[] {
  return playExample(compile(book(when, extra)), turns);
}
