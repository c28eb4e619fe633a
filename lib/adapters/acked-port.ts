/**
 * Delivery over one long-lived port instead of a one-time message per batch: on the console's
 * main thread `runtime.sendMessage` opens a channel each time (0.1–10 ms measured in bench:host on
 * this machine), while a message on an open port costs about 0.1–0.3 ms. The other end answers
 * each message, in order, with an acknowledgement; a message the port dropped (service worker
 * stopped, extension reloaded) is rejected so the caller retries, and the next send reconnects.
 */
export interface PortEnds<M> {
  post(msg: M): void;
  onMessage(fn: (raw: unknown) => void): void;
  onDisconnect(fn: () => void): void;
}

export interface Ack {
  ok: boolean;
  reason?: string;
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
      const w = this.waiting.shift();
      if (!w) return;
      if (ack.ok) w.resolve();
      else w.reject(new Error(ack.reason ?? 'refused'));
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
