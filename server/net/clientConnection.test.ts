import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../protocol/index.ts';
import { silentLogger } from '../log.ts';
import { ClientConnection, type ConnectionContext } from './clientConnection.ts';

let server: Server | undefined;
let peer: Socket | undefined;
afterEach(async () => {
  peer?.destroy();
  await new Promise((r) => (server ? server.close(r) : r(null)));
  server = undefined;
});

/** A ClientConnection on the server side of a real loopback socket pair, and the peer's socket. */
async function pair(maxQueueBytes: number): Promise<{ conn: ClientConnection; received: () => Buffer }> {
  const ctx: ConnectionContext = {
    limits: { ...DEFAULT_LIMITS, maxQueueBytes },
    log: silentLogger,
    onAuthenticated: () => {},
    onClosed: () => {},
    pickDialect: () => {
      throw new Error('no lines in this test');
    },
  };
  const accepted = new Promise<ClientConnection>((resolve) => {
    server = createServer((s) => resolve(new ClientConnection(s, ctx)));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const chunks: Buffer[] = [];
  peer = connect((server!.address() as { port: number }).port, '127.0.0.1');
  peer.on('data', (d: Buffer) => chunks.push(d));
  return { conn: await accepted, received: () => Buffer.concat(chunks) };
}

describe('ClientConnection output queue', () => {
  it('counts the cap in bytes, not UTF-16 units: 1,000 euro signs are 3,000 bytes', async () => {
    const { conn } = await pair(2000);
    const closed = new Promise((r) => conn.socket.once('close', r));
    conn.write('€'.repeat(1000));
    await closed; // cut off: over the cap in bytes, though its .length is 1000
    expect(conn.queuedBytes()).toBe(0);
  });

  it('queues what fits under the cap and delivers it in one round', async () => {
    const { conn, received } = await pair(4000);
    conn.write('€'.repeat(500));
    conn.write(Buffer.from('!\n'));
    expect(conn.queuedBytes()).toBe(1502);
    await conn.drained();
    await new Promise<void>((resolve) => {
      const check = (): void => (received().length >= 1502 ? resolve() : void peer!.once('data', check));
      check();
    });
    expect(received().toString()).toBe(`${'€'.repeat(500)}!\n`);
  });
});
