/**
 * PGlite on its own thread (server/db/pglite-thread.ts): the endpoint's database work off the
 * event loop, with the same behaviour as in-thread PGlite — migrations, transactions that roll
 * back, PostgreSQL error codes, data kept on disk across a reopen, and a closed database reported
 * as unavailable (503) rather than as a bug.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../../server/app';
import { openDatabase } from '../../../server/db/connect';
import { seedDemo } from '../../../server/seed';
import './harness'; // test timeouts for a shared machine

describe('PGlite on a worker thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sotto-pglite-thread-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates, commits, rolls back, reports error codes and keeps data across a reopen', async () => {
    const first = await openDatabase({ dataDir: dir });
    const demo = await seedDemo(first.db, { password: 'thread test password' });
    const teams = await first.db.selectFrom('teams').select('id').orderBy('id').execute();
    expect(teams.map((t) => t.id)).toEqual([...demo.teams.map((t) => t.id)].sort());

    await expect(
      first.db.transaction().execute(async (trx) => {
        await trx.updateTable('teams').set({ name: 'renamed' }).where('id', '=', demo.teams[0]!.id).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const kept = await first.db
      .selectFrom('teams')
      .select('name')
      .where('id', '=', demo.teams[0]!.id)
      .executeTakeFirst();
    expect(kept?.name).toBe(demo.teams[0]!.name);

    const dup = await first.db
      .insertInto('teams')
      .values({ id: demo.teams[0]!.id, org_id: demo.orgId, name: 'dup', settings: '{}', created_at: 0 })
      .execute()
      .catch((e: unknown) => e);
    expect((dup as { code?: string }).code).toBe('23505');

    // Statements from many callers at once are all answered.
    const many = await Promise.all(
      Array.from({ length: 50 }, (_, i) => sql<{ n: number }>`select ${i}::int as n`.execute(first.db)),
    );
    expect(many.map((r) => r.rows[0]!.n)).toEqual(Array.from({ length: 50 }, (_, i) => i));

    await first.close();
    const late = await first.db
      .selectFrom('teams')
      .select('id')
      .execute()
      .catch((e: unknown) => e);
    expect(isDatabaseUnavailable(late)).toBe(true);

    const again = await openDatabase({ dataDir: dir });
    expect((await again.db.selectFrom('users').select('id').execute()).length).toBeGreaterThan(0);
    await again.close();
  });
});
