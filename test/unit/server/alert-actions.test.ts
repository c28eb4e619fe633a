/**
 * What a lead did about an alert reaches the endpoint: acknowledged, took over, notes. Other teams'
 * leads cannot see or touch it, a note needs its text, and erasing the conversation erases them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushLeadActions } from '../../../lib/sync/lead-actions';
import { finding, startEnv, type TestEnv } from './harness';

let env: TestEnv;
let alertId = 0;
beforeAll(async () => {
  env = await startEnv('pglite');
  // The conversation is known to the endpoint through a synced finding, as in real use.
  const f = finding({ agentId: env.demo.users.agent.id, conversationId: 'c-alert-actions' });
  const ing = await env.call('POST', '/v1/ingest', { token: env.agentToken, body: { findings: [f] } });
  if (ing.status !== 200) throw new Error(`ingest: ${ing.status}`);
  alertId = (
    await env.database.db
      .insertInto('alerts')
      .values({
        org_id: env.demo.orgId,
        team_id: 'team_shanghai_a',
        kind: 'compliance',
        conversation_id: 'c-alert-actions',
        rule_key: 'general.forbidden-promise',
        severity: 'critical',
        title: 'forbidden promise',
        finding_id: null,
        agent_user_id: env.demo.users.agent.id,
        linked_conversation_id: null,
        finding_ts: null,
        created_at: Date.now(),
        notify: true,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(async () => {
  await env?.close();
});

describe('alert actions', () => {
  it("records a lead's acknowledgement, take-over and notes in order, for the team and QA to read", async () => {
    const lead = { token: env.leadToken };
    for (const body of [
      { action: 'ack' },
      { action: 'take-over' },
      { action: 'note', note: '已回电客户，承诺撤回' },
    ]) {
      const r = await env.call('POST', `/v1/alerts/${alertId}/actions`, { ...lead, body });
      expect(r.status).toBe(201);
    }
    const read = await env.call('GET', `/v1/alerts/${alertId}/actions`, { cookie: env.cookies.qa });
    expect(read.status).toBe(200);
    const actions = (read.json as { actions: { action: string; note?: string; userId: string }[] }).actions;
    expect(actions.map((a) => a.action)).toEqual(['ack', 'take-over', 'note']);
    expect(actions[2]!.note).toBe('已回电客户，承诺撤回');
    expect(actions[0]!.userId).toBe(env.demo.users.lead.id);
  });

  it("the lead panel's events reach the endpoint once; refusals keep their reason; offline keeps the rest", async () => {
    const events = [
      { id: 'e1', type: 'lead-ack', alertId },
      { id: 'e2', type: 'note', alertId, reason: 'coaching booked' },
      { id: 'e3', type: 'lead-ack', alertId: 999_999 },
      { id: 'e4', type: 'snooze', alertId },
      { id: 'e5', type: 'lead-ack', alertId, synced: true },
    ];
    const realFetch = (url: URL, init: RequestInit) => fetch(url, init);
    const down = await pushLeadActions({
      events,
      endpoint: 'http://127.0.0.1:9',
      token: env.leadToken,
      fetch: realFetch,
    });
    expect(down.sent).toEqual([]);
    expect(down.error).toMatch(/offline/);
    const r = await pushLeadActions({ events, endpoint: env.url, token: env.leadToken, fetch: realFetch });
    expect(r.error).toBeUndefined();
    expect(r.sent).toEqual(['e1', 'e2']);
    expect([...r.refused.keys()]).toEqual(['e3']);
    const read = await env.call('GET', `/v1/alerts/${alertId}/actions`, { token: env.leadToken });
    const notes = (read.json as { actions: { action: string; note?: string }[] }).actions;
    expect(notes.at(-1)).toMatchObject({ action: 'note', note: 'coaching booked' });
  });

  it('refuses a note without text, an unknown action and an unknown alert, with reasons', async () => {
    const lead = { token: env.leadToken };
    const noText = await env.call('POST', `/v1/alerts/${alertId}/actions`, {
      ...lead,
      body: { action: 'note' },
    });
    expect(noText.status).toBe(400);
    const odd = await env.call('POST', `/v1/alerts/${alertId}/actions`, {
      ...lead,
      body: { action: 'delete' },
    });
    expect(odd.status).toBe(400);
    const none = await env.call('POST', '/v1/alerts/999999/actions', { ...lead, body: { action: 'ack' } });
    expect(none.status).toBe(404);
    const agent = await env.call('POST', `/v1/alerts/${alertId}/actions`, {
      token: env.agentToken,
      body: { action: 'ack' },
    });
    expect(agent.status).toBe(403);
  });

  it("erasing the conversation on a customer's request erases what leads noted about it", async () => {
    const del = await env.call('POST', '/v1/privacy/delete', {
      cookie: env.cookies.admin,
      body: { conversationIds: ['c-alert-actions'] },
    });
    expect(del.status).toBeLessThan(300);
    const left = await env.database.db
      .selectFrom('alert_actions')
      .select('id')
      .where('conversation_id', '=', 'c-alert-actions')
      .execute();
    expect(left).toEqual([]);
  });
});
