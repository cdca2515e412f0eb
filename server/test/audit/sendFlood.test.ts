import { join } from 'node:path';
import type { Socket } from 'node:net';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient } from '../../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../testkit/testServer.ts';

let server: TestServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await stopTestServer(server);
  server = undefined;
});

/** A reader that takes everything as it comes, counting messages to it (`alice: ...` lines). */
function reader(socket: Socket): { lines: () => number; closed: () => boolean } {
  let lines = 0;
  let closed = false;
  socket.on('data', (d: string) => {
    for (let i = d.indexOf('\n'); i !== -1; i = d.indexOf('\n', i + 1)) lines++;
  });
  socket.on('close', () => (closed = true));
  return { lines: () => lines, closed: () => closed };
}

/** Writes `line` as fast as the socket takes it for `ms`; returns how many were written. */
async function flood(socket: Socket, line: (i: number) => string, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end && !socket.destroyed) {
    let chunk = '';
    for (let k = 0; k < 32; k++) chunk += line(n++);
    if (!socket.write(chunk)) await new Promise((r) => (socket.once('drain', r), socket.once('close', r)));
  }
  return n;
}

const TEXT = 'x'.repeat(2000);

/**
 * One logged-in client sending as fast as its socket goes must not get a recipient who reads all
 * the time cut off as a slow reader (before, bob's 1 MiB queue filled within seconds and bob was
 * disconnected while the flooder stayed): the flooder is slowed instead, and nothing is lost.
 */
describe('a sender flooding another user', () => {
  it.each(['json', 'text'] as const)('over the %s dialect leaves the reading recipient connected with every message', { timeout: 60_000 }, async (dialect) => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const bobClient = await TextClient.login(server.port, 'bob', 'pw');
    sockets.push(bobClient.socket);
    bobClient.socket.removeAllListeners('data');
    const bob = reader(bobClient.socket);

    let sender: Socket;
    let answers = 0;
    if (dialect === 'json') {
      const alice = await JsonClient.login(server.port, 'alice', 'pw');
      sender = alice.text.socket;
      sender.removeAllListeners('data');
      sender.on('data', (d: string) => {
        for (let i = d.indexOf('"ok":true'); i !== -1; i = d.indexOf('"ok":true', i + 1)) answers++;
      });
    } else {
      const alice = await TextClient.login(server.port, 'alice', 'pw');
      sender = alice.socket;
      sender.removeAllListeners('data');
      sender.on('data', () => undefined);
    }
    sockets.push(sender);
    const line = dialect === 'json' ? (i: number) => `{"id":${i + 100},"type":"send","to":["bob"],"text":"${TEXT}"}\n` : () => `send bob ${TEXT}\n`;
    await flood(sender, line, 2000);
    expect(bob.closed()).toBe(false);

    // Stop writing; whatever the server accepted reaches bob, and bob is still there.
    sender.destroy();
    let stored = 0;
    for (let seen = -1; stored !== seen; ) {
      seen = stored;
      await new Promise((r) => setTimeout(r, 500));
      const db = new Database(join(server.dataDir, 'parley.db'), { readonly: true });
      stored = db.prepare("SELECT COUNT(*) FROM messages WHERE kind = 'direct'").pluck().get() as number;
      db.close();
    }
    for (const deadline = Date.now() + 10_000; bob.lines() < stored && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    expect(bob.closed()).toBe(false);
    expect(bob.lines()).toBe(stored);
    if (dialect === 'json') expect(answers).toBeGreaterThan(0);
  });
});
