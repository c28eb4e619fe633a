/**
 * The demo's per-team rule sets: each domain desk gets its own domain rulebook as its team
 * document (what an enrolled device of that team runs), the lead leads every desk, and seeding
 * again publishes nothing new.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN_TEAMS, seedDomainTeams } from '../../../server/qa/demo-teams';
import { BACKENDS, type TestEnv, startEnv } from './harness';

describe.each(BACKENDS)('demo domain teams, %s', (backend) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(backend);
  });
  afterAll(async () => env?.close());

  it('publishes each domain rulebook to its own team only, once', async () => {
    const first = await seedDomainTeams(env.database.db, env.demo);
    expect(first.map((t) => t.teamId)).toEqual(DOMAIN_TEAMS.map((t) => t.id));
    for (const t of DOMAIN_TEAMS) {
      const r = await env.call('GET', `/v1/teams/${t.id}/documents/rulebook`, { cookie: env.cookies.lead });
      expect(r.status, r.text).toBe(200);
      expect(r.json.body.id).toBe(t.rulebook);
    }
    // The lead's teams now include every desk; the agent's team keeps what it had.
    const teams = (await env.call('GET', '/v1/teams', { cookie: env.cookies.lead })).json as unknown;
    expect(JSON.stringify(teams)).toContain('Finance desk');
    const mine = await env.call('GET', '/v1/documents/rulebook', { token: env.agentToken });
    expect(mine.status === 404 || mine.json.body.id !== 'finance').toBe(true);
    expect(await seedDomainTeams(env.database.db, env.demo)).toEqual(first);
  });
});
