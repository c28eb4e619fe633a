/**
 * Warm spare database threads (server/db/spares.ts): an endpoint on a PGlite data directory keeps
 * the next thread for it warm, a restart's open takes that thread and finds every committed row;
 * a spare whose thread ended before it was taken is reported and the open falls back to a thread
 * of its own; a spare nobody takes after its directory closed is ended.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../../server/db/connect';
import { keepSpare, keptSpare, releaseSpare } from '../../../server/db/spares';
import { createServer } from '../../../server/index';
import { type LogFields, jsonLogger } from '../../../server/log';
import { seedDemo } from '../../../server/seed';
import './harness'; // test timeouts for a shared machine

function capturingLog() {
  const lines: ({ msg: string; level: string } & LogFields)[] = [];
  return { lines, log: jsonLogger('debug', (l) => lines.push(JSON.parse(l))) };
}

async function teamNames(db: Awaited<ReturnType<typeof openDatabase>>['db']) {
  return (await db.selectFrom('teams').select('name').orderBy('name').execute()).map((t) => t.name);
}

describe('warm spare database threads', () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'sotto-spare-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('an endpoint restart reopens its data directory on the spare, with every committed row', async () => {
    const dir = freshDir();
    const { lines, log } = capturingLog();
    const first = await createServer({ db: { dataDir: dir }, log });
    const demo = await seedDemo(first.database.db, { password: 'spare test password' });
    await first.database.db
      .insertInto('teams')
      .values({
        id: 'team_spare',
        org_id: demo.orgId,
        name: 'Committed before close',
        settings: '{}',
        created_at: 1,
      })
      .execute();
    const before = await teamNames(first.database.db);
    // The next thread for the same directory is kept warm while the endpoint runs.
    const spare = keptSpare(dir);
    expect(spare).toBeDefined();
    await (await spare!).warmed;

    await first.close();
    expect(keptSpare(dir)).toBe(spare);
    const second = await createServer({ db: { dataDir: dir }, log });
    // Taken by the open, and the one after it is kept in its place.
    expect(keptSpare(dir)).toBeDefined();
    expect(keptSpare(dir)).not.toBe(spare);
    expect(await teamNames(second.database.db)).toEqual(before);
    expect(before).toContain('Committed before close');
    // Written after the restart, still there after another.
    await second.database.db
      .updateTable('teams')
      .set({ name: 'Renamed after restart' })
      .where('id', '=', 'team_spare')
      .execute();
    await second.close();
    const third = await createServer({ db: { dataDir: dir }, log });
    expect(await teamNames(third.database.db)).toContain('Renamed after restart');
    await third.close();
    expect(lines.some((l) => l.msg.includes('spare thread failed'))).toBe(false);
    expect(lines.filter((l) => l.msg === 'closed').every((l) => typeof l.dbCloseMs === 'number')).toBe(true);
    // Nobody opens it a fourth time: the last spare is ended.
    await (await keptSpare(dir))?.discard();
  });

  it('a spare whose thread ended is reported, and the open starts a thread of its own', async () => {
    const dir = freshDir();
    const first = await openDatabase({ dataDir: dir });
    await seedDemo(first.db, { password: 'spare test password' });
    const before = await teamNames(first.db);
    expect(keptSpare(dir)).toBeUndefined(); // only kept when asked for
    first.warmSpare?.();
    expect(keptSpare(dir)).toBeDefined();
    await first.close();

    // The spare's thread goes away before anyone takes it (as a crashed thread would).
    const spare = await keptSpare(dir)!;
    await spare.discard();

    const { lines, log } = capturingLog();
    const second = await openDatabase({ dataDir: dir, log });
    expect(await teamNames(second.db)).toEqual(before);
    const warned = lines.find((l) => l.msg.includes('spare thread failed'));
    expect(warned?.level).toBe('warn');
    expect(String(warned?.error)).toMatch(/exited/);
    await second.close();
  });

  it('one spare is kept per directory, and ended when nobody takes it after its directory closed', async () => {
    const a = freshDir();
    const b = freshDir();
    keepSpare(a);
    const kept = keptSpare(a);
    keepSpare(a);
    expect(keptSpare(a)).toBe(kept);
    expect(keptSpare(b)).toBeUndefined();
    const spare = await kept!;
    await spare.warmed;
    releaseSpare(a, 10);
    await vi.waitFor(() => expect(keptSpare(a)).toBeUndefined(), { timeout: 60_000, interval: 20 });
    await expect(spare.open()).rejects.toThrow(/exited/);
  });
});
