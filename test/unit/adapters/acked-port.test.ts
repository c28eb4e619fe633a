import { describe, expect, it, vi } from 'vitest';
import { AckBatcher, AckedPort, type PortEnds } from '../../../lib/adapters/acked-port';

/** A port whose other end the test plays: it sees what was posted and answers or hangs up. */
function fakePort() {
  const posted: unknown[] = [];
  let onMsg: (raw: unknown) => void = () => {};
  let onGone: () => void = () => {};
  let gone = false;
  const ends: PortEnds<string> = {
    post(m) {
      if (gone) throw new Error('Attempting to use a disconnected port object');
      posted.push(m);
    },
    onMessage: (fn) => {
      onMsg = fn;
    },
    onDisconnect: (fn) => {
      onGone = fn;
    },
  };
  return {
    ends,
    posted,
    answer: (raw: unknown) => onMsg(raw),
    hangUp: () => {
      gone = true;
      onGone();
    },
  };
}

/** An AckedPort whose every connection is a fake port the test can reach in `ports`. */
function opened() {
  const ports: ReturnType<typeof fakePort>[] = [];
  const port = new AckedPort(() => {
    const f = fakePort();
    ports.push(f);
    return f.ends;
  }, ackOf);
  return { port, ports };
}

const ackOf = (raw: unknown) => {
  const m = raw as { type?: string; ok: boolean; reason?: string; count?: number };
  return m?.type === 'ack'
    ? { ok: m.ok, ...(m.reason ? { reason: m.reason } : {}), ...(m.count ? { count: m.count } : {}) }
    : undefined;
};

describe('acked port', () => {
  it('answers each message by the acknowledgements in order, on one connection', async () => {
    const { port: p, ports } = opened();
    const a = p.send('a');
    const b = p.send('b');
    const c = p.send('c');
    expect(ports).toHaveLength(1);
    expect(ports[0]!.posted).toEqual(['a', 'b', 'c']);
    expect(p.inFlight).toBe(3);
    ports[0]!.answer({ type: 'other' }); // not an acknowledgement: ignored
    ports[0]!.answer({ type: 'ack', ok: true });
    ports[0]!.answer({ type: 'ack', ok: false, reason: 'malformed' });
    ports[0]!.answer({ type: 'ack', ok: true });
    await expect(a).resolves.toBeUndefined();
    await expect(b).rejects.toThrow('malformed');
    await expect(c).resolves.toBeUndefined();
    expect(p.inFlight).toBe(0);
  });

  it('fails what waits on a port that hung up and reconnects for the next message', async () => {
    const { port: p, ports } = opened();
    const a = p.send('a');
    ports[0]!.hangUp();
    await expect(a).rejects.toThrow('disconnected');
    const b = p.send('b');
    expect(ports).toHaveLength(2);
    expect(ports[1]!.posted).toEqual(['b']);
    // A late answer on the old port does not settle anything on the new one.
    ports[0]!.answer({ type: 'ack', ok: true });
    expect(p.inFlight).toBe(1);
    ports[1]!.answer({ type: 'ack', ok: true });
    await expect(b).resolves.toBeUndefined();
  });

  it('rejects when it cannot connect or post (extension reloaded)', async () => {
    const broken = new AckedPort<string>(() => {
      throw new Error('Extension context invalidated.');
    }, ackOf);
    await expect(broken.send('a')).rejects.toThrow('invalidated');
    const f = fakePort();
    let opened = 0;
    const p = new AckedPort(() => {
      opened++;
      return f.ends;
    }, ackOf);
    f.hangUp();
    await expect(p.send('a')).rejects.toThrow('disconnected port');
    expect(p.inFlight).toBe(0);
    expect(opened).toBe(1);
  });

  it('settles several of the oldest messages with one acknowledgement that counts them', async () => {
    const { port: p, ports } = opened();
    const done: string[] = [];
    for (const m of ['a', 'b', 'c', 'd']) p.send(m).then(() => done.push(m));
    ports[0]!.answer({ type: 'ack', ok: true, count: 3 });
    await Promise.resolve();
    await Promise.resolve();
    expect(done).toEqual(['a', 'b', 'c']);
    expect(p.inFlight).toBe(1);
    ports[0]!.answer({ type: 'ack', ok: true });
    await Promise.resolve();
    await Promise.resolve();
    expect(done).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('acknowledgements sent together', () => {
  it('owes one per message taken and sends them as one, every 8 or 200 ms after the first', () => {
    vi.useFakeTimers();
    try {
      const posted: unknown[] = [];
      const acks = new AckBatcher((a) => posted.push(a));
      for (let i = 0; i < 10; i++) acks.taken();
      expect(posted).toEqual([{ ok: true, count: 8 }]);
      vi.advanceTimersByTime(199);
      expect(posted).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(posted).toEqual([
        { ok: true, count: 8 },
        { ok: true, count: 2 },
      ]);
      acks.taken();
      vi.advanceTimersByTime(200);
      expect(posted.at(-1)).toEqual({ ok: true });
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends a refusal at once, after what it owed before it, and nothing once stopped', () => {
    vi.useFakeTimers();
    try {
      const posted: unknown[] = [];
      const acks = new AckBatcher((a) => posted.push(a));
      acks.taken();
      acks.taken();
      acks.refused('malformed');
      expect(posted).toEqual([
        { ok: true, count: 2 },
        { ok: false, reason: 'malformed' },
      ]);
      acks.taken();
      acks.stop();
      vi.advanceTimersByTime(1000);
      expect(posted).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps an acked port in step with the batcher end to end', async () => {
    vi.useFakeTimers();
    try {
      const { port: p, ports } = opened();
      const acks = new AckBatcher((a) => ports[0]!.answer({ type: 'ack', ...a }));
      const sent = Array.from({ length: 11 }, (_, i) => p.send(String(i)));
      for (let i = 0; i < 11; i++) acks.taken();
      expect(p.inFlight).toBe(3);
      await vi.advanceTimersByTimeAsync(200);
      expect(p.inFlight).toBe(0);
      await expect(Promise.all(sent)).resolves.toHaveLength(11);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers at once, with what it owed, a message whose sender waits for it', () => {
    vi.useFakeTimers();
    try {
      const posted: unknown[] = [];
      const acks = new AckBatcher((a) => posted.push(a));
      acks.taken();
      expect(posted).toEqual([]);
      acks.taken(true);
      expect(posted).toEqual([{ ok: true, count: 2 }]);
      vi.advanceTimersByTime(1000);
      expect(posted).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
