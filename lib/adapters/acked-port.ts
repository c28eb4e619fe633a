/**
 * Delivery over one long-lived port instead of a one-time message per batch: on the console's
 * main thread `runtime.sendMessage` opens a channel each time (0.1–10 ms measured in bench:host on
 * this machine), while a message on an open port costs about 0.07 ms of the thread's CPU (but
 * 0.5–0.9 ms of wall time when posted alone on a busy two-core machine: the IPC wakes other
 * threads and processes). The other end answers the messages, in order, with acknowledgements;
 * one acknowledgement may answer several (`count`), so the page does not handle one incoming
 * message per outgoing one (receiving one cost the console's main thread about 0.2 ms of CPU,
 * more than posting; measured from /proc over 300 messages 50 ms apart). A message the port dropped
 * (service worker stopped, extension reloaded) is rejected so the caller retries, and the next
 * send reconnects.
 */
export interface PortEnds<M> {
  post(msg: M): void;
  onMessage(fn: (raw: unknown) => void): void;
  onDisconnect(fn: () => void): void;
}

export interface Ack {
  ok: boolean;
  reason?: string;
  /** How many of the oldest waiting messages it answers (1 when absent). */
  count?: number;
}

export class AckedPort<M> {
  private port: PortEnds<M> | undefined;
  /** Messages posted on the current port and not yet acknowledged, oldest first. */
  private waiting: { resolve(): void; reject(e: Error): void }[] = [];

  constructor(
    private readonly open: () => PortEnds<M>,
    /** The acknowledgement in a message from the other end, or undefined for anything else. */
    private readonly ackOf: (raw: unknown) => Ack | undefined,
  ) {}

  /** Resolves when the other end has taken the message; rejects when it refused or was gone. */
  send(msg: M): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let port: PortEnds<M>;
      try {
        port = this.port ?? this.connect();
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      const entry = { resolve, reject };
      this.waiting.push(entry);
      try {
        port.post(msg);
      } catch (e) {
        // A port that went away without telling us yet: forget it, fail what waits on it.
        this.drop(port, e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Messages waiting for their acknowledgement. */
  get inFlight(): number {
    return this.waiting.length;
  }

  private connect(): PortEnds<M> {
    const port = this.open();
    this.port = port;
    port.onMessage((raw) => {
      if (port !== this.port) return;
      const ack = this.ackOf(raw);
      if (!ack) return;
      const n = Math.max(1, Math.floor(ack.count ?? 1));
      for (const w of this.waiting.splice(0, n)) {
        if (ack.ok) w.resolve();
        else w.reject(new Error(ack.reason ?? 'refused'));
      }
    });
    port.onDisconnect(() => this.drop(port, new Error('the port was disconnected')));
    return port;
  }

  private drop(port: PortEnds<M>, e: Error): void {
    if (port !== this.port) return;
    this.port = undefined;
    for (const w of this.waiting.splice(0)) w.reject(e);
  }
}

/** When the answering end sends the acknowledgements it owes (see `AckBatcher`). */
export const ACK_EVERY = 8;
export const ACK_MS = 200;
/**
 * Messages of more utterances than this are not posted beside others in flight: their sender
 * waits for the answer (a burst goes as few large batches), so they are acknowledged at once.
 */
export const PIPELINED_MAX = 4;

/**
 * The answering end's side of `AckedPort`: owes an acknowledgement per message taken and sends
 * them together, as one message with a `count`, once ACK_EVERY are owed or ACK_MS after the first
 * one; a refusal is sent at once, after what is owed before it, so the order stays. Nothing is
 * acknowledged before it was taken: a service worker stopped meanwhile drops the port, and the
 * sender posts again everything not acknowledged (which the store takes once).
 */
export class AckBatcher {
  private owed = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly post: (ack: { ok: boolean; count?: number; reason?: string }) => void,
    private readonly every = ACK_EVERY,
    private readonly ms = ACK_MS,
  ) {}

  /** `now`: the sender waits for this answer before it sends more (see PIPELINED_MAX). */
  taken(now = false): void {
    this.owed++;
    if (now || this.owed >= this.every) this.settle();
    else this.timer ??= setTimeout(() => this.settle(), this.ms);
  }

  refused(reason: string): void {
    this.settle();
    this.post({ ok: false, reason });
  }

  /** Sends what is owed now. */
  settle(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.owed === 0) return;
    const count = this.owed;
    this.owed = 0;
    this.post(count === 1 ? { ok: true } : { ok: true, count });
  }

  /** The port is gone: nothing more to send. */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.owed = 0;
  }
}
