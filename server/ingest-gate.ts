/**
 * Admission control for bulk ingest. After a restart or an outage every device sends its backlog
 * at once; if all of those batches are validated and written together, the event loop and the
 * database queue fill up and a batch carrying a lead's alert waits behind all of them. The gate
 * lets a few bulk batches work at a time; the others wait with their bodies unread (the socket
 * holds them, no memory or CPU is spent), and one that has waited too long, or finds the queue
 * full, is turned away with 503 and a Retry-After: its items stay in the device outbox (nothing
 * is lost, ids make the resend safe). Batches that carry alert-worthy findings or resolution
 * events never wait here.
 */
export interface GateStats {
  running: number;
  waiting: number;
  shed: number;
  /** Smoothed time one bulk batch holds a slot, in ms. */
  batchMs: number;
}

export class IngestGate {
  private running = 0;
  private readonly waiting: ((admitted: boolean) => void)[] = [];
  private shedCount = 0;
  private batchMs = 100;
  private closing = false;

  constructor(
    /** Bulk batches validated and written at the same time. */
    private readonly concurrency: number,
    /** Bulk batches that may wait for a turn; more are turned away. */
    private readonly queue: number,
  ) {}

  /**
   * A release function once admitted, or undefined when the batch should come back later: the
   * queue is full, or no slot came free within `maxWaitMs` (answer before the device gives up
   * on the request and sends it again).
   */
  async enter(maxWaitMs = Number.POSITIVE_INFINITY): Promise<(() => void) | undefined> {
    if (this.running < this.concurrency) {
      this.running++;
      return this.releaser();
    }
    if (this.waiting.length >= this.queue || this.closing) {
      this.shedCount++;
      return undefined;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const admitted = await new Promise<boolean>((resolve) => {
      const waiter = (admitted: boolean) => resolve(admitted);
      this.waiting.push(waiter);
      if (Number.isFinite(maxWaitMs)) {
        timer = setTimeout(() => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) {
            this.waiting.splice(i, 1);
            resolve(false);
          }
        }, maxWaitMs);
      }
    });
    clearTimeout(timer);
    if (!admitted) {
      this.shedCount++;
      return undefined;
    }
    // The slot was handed over by release(): `running` already counts this batch.
    return this.releaser();
  }

  /**
   * When a turned-away batch should come back: about when the work ahead of it is done, spread
   * over twice that so a fleet does not return in lock-step.
   */
  retryAfterMs(random = Math.random): number {
    const ahead = ((this.running + this.waiting.length) * this.batchMs) / Math.max(1, this.concurrency);
    return Math.round(Math.min(10_000, Math.max(500, ahead)) * (1 + random()));
  }

  /**
   * The endpoint is closing: every waiting batch is sent back now (503 + Retry-After) instead of
   * holding the close until its wait runs out. Running batches finish.
   */
  turnAwayWaiting(): void {
    this.closing = true;
    for (const waiter of this.waiting.splice(0)) waiter(false);
  }

  private releaser(): () => void {
    let done = false;
    const start = performance.now();
    return () => {
      if (done) return;
      done = true;
      this.batchMs = this.batchMs * 0.9 + (performance.now() - start) * 0.1;
      const next = this.waiting.shift();
      if (next) next(true);
      else this.running--;
    };
  }

  stats(): GateStats {
    return {
      running: this.running,
      waiting: this.waiting.length,
      shed: this.shedCount,
      batchMs: Math.round(this.batchMs),
    };
  }
}
