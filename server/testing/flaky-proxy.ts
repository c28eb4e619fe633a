/**
 * A TCP proxy on loopback that drops connections on purpose: before the request reaches the
 * endpoint (nothing stored) or after the endpoint answered (stored, but the device never hears
 * it, so it retries and must not create duplicates). Used by the sync tests and bench:sync.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';

export type DropPhase = 'request' | 'response';

export interface FlakyProxy {
  url: string;
  port: number;
  /** Point at another upstream port (the endpoint came back on a new one). */
  setUpstream(port: number): void;
  stats: { connections: number; droppedRequests: number; droppedResponses: number };
  close(): Promise<void>;
}

export async function startFlakyProxy(opts: {
  upstreamPort: number;
  /** Decide per connection and phase whether to cut it; called once per phase. */
  drop: (phase: DropPhase) => boolean;
  port?: number;
}): Promise<FlakyProxy> {
  let upstreamPort = opts.upstreamPort;
  const sockets = new Set<Socket>();
  const stats = { connections: 0, droppedRequests: 0, droppedResponses: 0 };
  const server: Server = createServer((client) => {
    stats.connections++;
    sockets.add(client);
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(upstream);
    const kill = () => {
      client.destroy();
      upstream.destroy();
    };
    // Request/response turns on a keep-alive connection: the first client bytes after a response
    // start a new request, the first upstream bytes after a request start its response.
    let turn: 'request' | 'response' = 'request';
    client.on('data', (chunk) => {
      if (turn === 'request') {
        turn = 'response';
        if (opts.drop('request')) {
          stats.droppedRequests++;
          kill();
          return;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (turn === 'response') {
        turn = 'request';
        if (opts.drop('response')) {
          stats.droppedResponses++;
          kill();
          return;
        }
      }
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', kill);
    upstream.on('error', kill);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    setUpstream(p) {
      upstreamPort = p;
    },
    async close() {
      sockets.forEach((s) => {
        s.destroy();
      });
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
