import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

/** A ULID: sortable by creation time and unique per device, so retries never duplicate. */
export function newId(now: number = Date.now()): string {
  return next(now);
}
