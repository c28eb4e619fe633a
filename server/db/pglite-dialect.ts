/**
 * Kysely dialect for PGlite. kysely-pglite's driver hands every caller the same client with no
 * lock, so a transaction's BEGIN from one request would swallow another request's statements.
 * PGlite has one session, so this driver serialises connections with a queue: a transaction
 * holds the only connection until it commits or rolls back.
 */
import type { QueryLike } from './pglite-thread';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';
import { urgentLane } from './priority';

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly client: QueryLike) {}
  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const res = await this.client.query<R>(q.sql, [...q.parameters]);
    const affected = res.affectedRows;
    return affected === undefined
      ? { rows: res.rows }
      : { rows: res.rows, numAffectedRows: BigInt(affected) };
  }
  // biome-ignore lint/correctness/useYield: PGlite has no cursors; kysely only calls this for .stream()
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite does not support streaming queries');
  }
}

class PGliteDriver implements Driver {
  private readonly conn: PGliteConnection;
  private queue: (() => void)[] = [];
  private busy = false;

  constructor(private readonly client: QueryLike) {
    this.conn = new PGliteConnection(client);
  }
  async init(): Promise<void> {}
  acquireConnection(): Promise<DatabaseConnection> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve(this.conn);
    }
    return new Promise((resolve) => {
      const waiter = () => resolve(this.conn);
      if (urgentLane.getStore()) this.queue.unshift(waiter);
      else this.queue.push(waiter);
    });
  }
  async releaseConnection(): Promise<void> {
    const next = this.queue.shift();
    if (next) next();
    else this.busy = false;
  }
  async beginTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('BEGIN'));
  }
  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('COMMIT'));
  }
  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }
  async destroy(): Promise<void> {
    if (!this.client.closed) await this.client.close();
  }
}

/** PGlite in this thread, or on its own thread (`PGliteThread`): the same driver serves both. */
export class PGliteDialect implements Dialect {
  constructor(private readonly client: QueryLike) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.client);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  // biome-ignore lint/suspicious/noExplicitAny: kysely's Introspector takes Kysely<any>
  createIntrospector(db: any) {
    return new PostgresIntrospector(db);
  }
}
