/**
 * A loopback TCP relay between a client and a server, for tests of dropped connections: `cut()`
 * destroys every relayed connection (a network drop), the target port can change (a server
 * restarted on a new ephemeral port stays reachable at the proxy's port), and `dropReplies`
 * loses what the server sends (an answer lost after the server acted on the request).
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Where new connections go. */
  targetPort: number;
  /** While true, bytes from the server are thrown away instead of reaching the client. */
  dropReplies: boolean;
  /** Every byte clients sent, in order (tests check what crossed the wire). */
  fromClients: Buffer[];
  /** Drops every open connection, both sides, as a network failure would. */
  cut(): void;
  /** Connections relayed now. */
  openCount(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: proxy.targetPort });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => proxy.fromClients.push(chunk));
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (!proxy.dropReplies) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  const proxy: TcpProxy = {
    port: address.port,
    targetPort,
    dropReplies: false,
    fromClients: [],
    cut: () => {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
    },
    openCount: () => pairs.size,
    close: () => {
      proxy.cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
