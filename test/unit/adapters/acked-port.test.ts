import { describe, expect, it } from 'vitest';
import { AckedPort, type PortEnds } from '../../../lib/adapters/acked-port';

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
  const m = raw as { type?: string; ok: boolean; reason?: string };
  return m?.type === 'ack' ? { ok: m.ok, ...(m.reason ? { reason: m.reason } : {}) } : undefined;
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
});
