/**
 * The urgent lane: requests that carry warnings (alerts a lead is waiting for) run marked with
 * this store, and the database layer lets them go before bulk writes — the PGlite driver puts
 * them at the head of its connection queue; on PostgreSQL they use a small pool of their own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export const urgentLane = new AsyncLocalStorage<boolean>();
