/**
 * The device side of rulebook delivery against a real endpoint: the team's rulebook is checked by
 * ETag with the validator the extension uses (every rulebook must compile), and what the check
 * stores is what the worker's rule set swaps to. A version that does not compile, stored by the
 * document API as given, is refused: the store and the running rules keep the previous version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveRuleSet, rulebooksOf, validateRulebookDocument } from '../../../lib/analysis/ruleset';
import { MemoryDocumentStore, checkDocument } from '../../../lib/sync/documents';
import type { Utterance } from '../../../lib/utterance';
import { seedQaDemo } from '../../../server/qa/demo';
import { BACKENDS, startEnv, type TestEnv } from '../server/harness';

const TEAM = 'team_shanghai_a';
const PHRASE = '退款到现在还没到账';

describe.each(BACKENDS)('team rulebook swap on %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend);
    await seedQaDemo(env.database.db, env.demo, { conversations: 10 });
  });
  afterAll(() => env?.close());

  it('swaps to each valid published version and keeps the last good one over an invalid one', async () => {
    const qa = { cookie: env.cookies.qa };
    const store = new MemoryDocumentStore();
    let n = 0;
    const rules = new LiveRuleSet(() => `F${n++}`);
    const check = async () => {
      const r = await checkDocument({
        endpoint: env.url,
        fetch,
        token: env.agentToken,
        kind: 'rulebook',
        store,
        validate: validateRulebookDocument,
      });
      // What platform/team-documents does on a new version: hand the stored body to the worker.
      if (r.outcome === 'updated') rules.swap(rulebooksOf(store.docs.get('rulebook')!.body), 'team');
      return r;
    };
    let seq = 0;
    const says = (text: string): Utterance => ({
      conversationId: 'c',
      seq: seq++,
      speaker: 'customer',
      text,
      ts: 1_000 + seq,
      channel: 'chat',
      source: 'test',
    });
    const session = rules.sessions('c');
    const fired = (text: string) => session.push(says(text), {}).map((f) => f.ruleId);

    expect((await check()).outcome).toBe('updated');
    const live = (await env.call('GET', `/v1/qa/rules/${TEAM}`, qa)).json.live;
    expect(rules.versions).toEqual([`general@${live.body.version}`]);
    expect(fired(`我的${PHRASE}`)).not.toContain('general.refund-delay');

    const draft = structuredClone(live.body);
    draft.version = '2026.12.30';
    draft.rules.push({
      ...draft.rules[0],
      id: 'general.refund-delay',
      scope: { speaker: 'customer' },
      when: { type: 'phrase', phrases: [PHRASE] },
    });
    expect(
      (await env.call('PUT', `/v1/qa/rules/${TEAM}/draft`, { ...qa, body: { rulebook: draft } })).json.valid,
    ).toBe(true);
    expect((await env.call('POST', `/v1/qa/rules/${TEAM}/publish`, qa)).status).toBeLessThan(300);
    expect((await check()).outcome).toBe('updated');
    expect(rules.versions).toEqual(['general@2026.12.30']);
    expect(fired(`还是${PHRASE}`)).toContain('general.refund-delay');

    const broken = structuredClone(draft);
    broken.version = '2026.12.31';
    broken.rules[0].when = { type: 'regex', pattern: '(a+)+b' };
    const put = await env.call('PUT', `/v1/teams/${TEAM}/documents/rulebook`, {
      ...qa,
      body: { body: broken },
    });
    expect(put.status).toBe(201);
    const etagBefore = store.docs.get('rulebook')!.etag;
    const refused = await check();
    expect(refused).toMatchObject({ outcome: 'invalid', version: put.json.version });
    if (refused.outcome === 'invalid') expect(refused.reason).toMatch(/^rulebook 1: rules\.0\.when\.pattern/);
    expect(store.docs.get('rulebook')!.etag).toBe(etagBefore);
    expect(rules.versions).toEqual(['general@2026.12.30']);
    expect(fired(`${PHRASE}，我要投诉`)).toContain('general.refund-delay');
  });
});
