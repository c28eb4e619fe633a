import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../lib/ids';
import type { Alert } from '../../../lib/sync/protocol';
import { followAlerts } from '../../../lib/sync/sse';
import { BACKENDS, type TestEnv, conversation, finding, startEnv } from './harness';

/** A lead's alert stream read with the same client code the extension uses. */
function stream(env: TestEnv, token: string, lastEventId?: string) {
  const alerts: Alert[] = [];
  const ctl = new AbortController();
  const waiters: (() => void)[] = [];
  let connected = false;
  const done = followAlerts({
    endpoint: env.url,
    fetch: (url, init) => fetch(url, init),
    getToken: () => token,
    lastEventId,
    signal: ctl.signal,
    onStatus: (s) => {
      connected = s.connected;
    },
    onAlert: (a) => {
      alerts.push(a);
      for (const w of waiters.splice(0)) w();
    },
  });
  return {
    alerts,
    get connected() {
      return connected;
    },
    /** Resolve once `pred` holds over the alerts received so far. */
    async until(pred: (a: Alert[]) => boolean): Promise<Alert[]> {
      while (!pred(alerts)) await new Promise<void>((r) => waiters.push(r));
      return alerts;
    },
    async close() {
      ctl.abort();
      await done.catch(() => {});
    },
  };
}

describe.each(BACKENDS)('alerts on %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend, {
      limits: { ingestPerSecond: 1000, ingestBurst: 1000, leadAlertsPerMinute: 1000 },
    });
  });
  afterAll(async () => env?.close());

  const ingest = (body: unknown, token = env.agentToken) => env.call('POST', '/v1/ingest', { token, body });

  it('pushes a warning to the lead over SSE with a link to the evidence', async () => {
    const s = stream(env, env.leadToken);
    try {
      const f = finding({ severity: 'critical', title: '违规承诺' });
      expect((await ingest({ findings: [f] })).status).toBe(200);
      const [a] = await s.until((as) => as.some((x) => x.findingId === f.finding.id));
      const got = s.alerts.find((x) => x.findingId === f.finding.id)!;
      expect(a).toBeDefined();
      expect(got).toMatchObject({
        kind: 'finding',
        conversationId: f.finding.conversationId,
        ruleKey: 'compliance.no-guarantee',
        severity: 'critical',
        teamId: 'team_shanghai_a',
        notify: true,
        findingTs: f.finding.ts,
      });
      expect(got.evidenceUrl).toBe(
        `${env.url}/console/conversations/${encodeURIComponent(f.finding.conversationId)}?finding=${f.finding.id}`,
      );
    } finally {
      await s.close();
    }
  });

  it('does not alert below the team’s minimum severity', async () => {
    const hint = finding({ severity: 'hint', kind: 'hint' });
    await ingest({ findings: [hint] });
    const rows = await env.database.db
      .selectFrom('alerts')
      .select('id')
      .where('finding_id', '=', hint.finding.id)
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('de-duplicates per conversation and rule', async () => {
    const conv = `dedup-${newId()}`;
    const a = finding({ conversationId: conv });
    const b = finding({ conversationId: conv });
    const other = finding({ conversationId: conv, ruleId: 'empathy.missing' });
    await ingest({ findings: [a] });
    await ingest({ findings: [b, other] });
    const rows = await env.database.db
      .selectFrom('alerts')
      .select(['rule_key', 'finding_id'])
      .where('conversation_id', '=', conv)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.rule_key, r.finding_id])).toEqual([
      ['compliance.no-guarantee', a.finding.id],
      ['empathy.missing', other.finding.id],
    ]);
  });

  it('resumes with Last-Event-ID and scopes the stream to the lead’s teams', async () => {
    const first = stream(env, env.leadToken);
    const f1 = finding();
    await ingest({ findings: [f1] });
    await first.until((as) => as.some((x) => x.findingId === f1.finding.id));
    const lastId = String(first.alerts.at(-1)!.id);
    await first.close();

    // While the lead is away: one alert for their team, one for Chicago B (another device).
    const f2 = finding();
    await ingest({ findings: [f2] });
    const codeRes = await env.call('POST', '/v1/enrolment-codes', {
      cookie: env.cookies.admin,
      body: { userId: env.demo.users.agent.id },
    });
    expect(codeRes.status).toBe(201);
    const chicago = await env.call('POST', '/v1/teams', {
      cookie: env.cookies.admin,
      body: { name: `Chicago ${newId()}` },
    });
    const user = await env.call('POST', '/v1/users', {
      cookie: env.cookies.admin,
      body: {
        email: `c${Date.now()}@demo.sotto.local`,
        displayName: 'C',
        role: 'agent',
        teamIds: [chicago.json.id],
      },
    });
    const code = await env.call('POST', '/v1/enrolment-codes', {
      cookie: env.cookies.admin,
      body: { userId: user.json.id },
    });
    const dev = await env.call('POST', '/v1/devices/enrol', { body: { code: code.json.code } });
    const foreign = finding();
    expect((await ingest({ findings: [foreign] }, dev.json.token)).status).toBe(200);

    const again = stream(env, env.leadToken, lastId);
    const f3 = finding();
    try {
      await again.until((as) => as.some((x) => x.findingId === f2.finding.id));
      await ingest({ findings: [f3] });
      await again.until((as) => as.some((x) => x.findingId === f3.finding.id));
      const ids = again.alerts.map((a) => a.findingId);
      expect(ids).not.toContain(f1.finding.id);
      expect(ids).not.toContain(foreign.finding.id);
      expect(ids.indexOf(f2.finding.id)).toBeLessThan(ids.indexOf(f3.finding.id));
      // QA sees every team, including Chicago's alert.
      const qa = await env.call('GET', '/v1/alerts?limit=1000', { cookie: env.cookies.qa });
      expect(qa.json.alerts.map((a: Alert) => a.findingId)).toContain(foreign.finding.id);
      const lead = await env.call('GET', '/v1/alerts?limit=1000', { cookie: env.cookies.lead });
      expect(lead.json.alerts.map((a: Alert) => a.findingId)).not.toContain(foreign.finding.id);
    } finally {
      await again.close();
    }
  });

  it('gives the agent the self-correct window: resolved in time → no alert; not resolved → alert', async () => {
    const s = stream(env, env.leadToken);
    try {
      const fixed = finding({}, { escalateAfterMs: 300 });
      const ignored = finding({}, { escalateAfterMs: 300 });
      await ingest({ findings: [fixed, ignored] });
      await ingest({
        events: [
          {
            id: newId(),
            type: 'resolved',
            conversationId: fixed.finding.conversationId,
            ruleId: 'compliance.no-guarantee',
            ts: fixed.finding.ts + 100,
          },
        ],
      });
      await s.until((as) => as.some((x) => x.findingId === ignored.finding.id));
      // The sweeper handled both in the same pass (same due time), so the absence is settled.
      const pending = await env.database.db.selectFrom('pending_escalations').select('finding_id').execute();
      expect(pending.map((p) => p.finding_id)).not.toContain(fixed.finding.id);
      const rows = await env.database.db
        .selectFrom('alerts')
        .select('id')
        .where('finding_id', '=', fixed.finding.id)
        .execute();
      expect(rows).toHaveLength(0);
    } finally {
      await s.close();
    }
  });

  it('alerts a repeat contact within N days with the earlier conversation linked', async () => {
    const hash = newId()
      .toLowerCase()
      .replace(/[^0-9a-f]/g, 'a')
      .padEnd(32, 'f');
    const day = 24 * 3600_000;
    const old = conversation({ customerHash: hash, startedAt: Date.now() - 12 * day });
    const earlier = conversation({ customerHash: hash, startedAt: Date.now() - 3 * day });
    const now = conversation({ customerHash: hash, startedAt: Date.now() });
    await ingest({ conversations: [old] });
    await ingest({ conversations: [earlier] });
    // 9 days between `old` and `earlier`: outside the default 7-day window.
    const r1 = await env.database.db
      .selectFrom('alerts')
      .select('id')
      .where('conversation_id', '=', earlier.id)
      .execute();
    expect(r1).toHaveLength(0);
    await ingest({ conversations: [now] });
    const rows = await env.database.db
      .selectFrom('alerts')
      .select(['kind', 'linked_conversation_id'])
      .where('conversation_id', '=', now.id)
      .execute();
    expect(rows).toEqual([{ kind: 'repeat-contact', linked_conversation_id: earlier.id }]);
  });

  it('keeps alerts in quiet hours but without notifications or webhooks (critical still pings)', async () => {
    const team = env.demo.teams[0]!.id;
    const put = await env.call('PUT', `/v1/teams/${team}/settings`, {
      cookie: env.cookies.lead,
      body: { quietHours: { start: '00:00', end: '23:59', timeZone: 'UTC', allowCritical: true } },
    });
    expect(put.status).toBe(200);
    try {
      const warn = finding({ severity: 'warning' });
      const crit = finding({ severity: 'critical' });
      await ingest({ findings: [warn, crit] });
      const rows = await env.database.db
        .selectFrom('alerts')
        .select(['finding_id', 'notify'])
        .where('finding_id', 'in', [warn.finding.id, crit.finding.id])
        .execute();
      const byId = Object.fromEntries(rows.map((r) => [r.finding_id, r.notify]));
      // 23:59–00:00 is the one minute outside the window; the clock may sit there.
      const minute = new Date().getUTCHours() * 60 + new Date().getUTCMinutes();
      if (minute !== 23 * 60 + 59) expect(byId[warn.finding.id]).toBe(false);
      expect(byId[crit.finding.id]).toBe(true);
    } finally {
      await env.call('PUT', `/v1/teams/${team}/settings`, { cookie: env.cookies.lead, body: {} });
    }
  });
});

describe.each(BACKENDS)('per-lead alert rate limit on %s', (backend) => {
  it('delivers every alert but pings only up to the limit', async () => {
    const env = await startEnv(backend, {
      limits: { ingestPerSecond: 1000, ingestBurst: 1000, leadAlertsPerMinute: 3 },
    });
    const s = stream(env, env.leadToken);
    try {
      const fs = Array.from({ length: 6 }, () => finding());
      await env.call('POST', '/v1/ingest', { token: env.agentToken, body: { findings: fs } });
      const got = await s.until((as) => as.length >= 6);
      expect(got.filter((a) => a.notify)).toHaveLength(3);
    } finally {
      await s.close();
      await env.close();
    }
  });
});
