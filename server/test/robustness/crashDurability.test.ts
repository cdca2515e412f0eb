import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, type Line } from '../../testkit/lineClient.ts';
import { runCli, startServerProcess, type ServerProcess } from '../../testkit/serverProcess.ts';

let dataDir = '';
const processes: ServerProcess[] = [];
afterEach(async () => {
  for (const p of processes.splice(0)) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Checks each acknowledgement the moment it arrives, through a read-only connection of the
 * test's own: a WAL reader sees committed rows only, so an ack sent even 1 ms before its commit
 * finds its message missing. Returns the acked ids that were not yet committed.
 */
function checkEveryAck(client: JsonClient, dbFile: string, isSend: (a: Line) => boolean): { uncommitted: number[]; checked: () => number; stop(): void } {
  const reader = new Database(dbFile, { readonly: true, fileMustExist: true });
  const committed = reader.prepare<[number], number>('SELECT 1 FROM messages WHERE id = ?').pluck();
  const uncommitted: number[] = [];
  let seen = 0;
  let checked = 0;
  const onData = (): void => {
    client.messages(); // parses what has arrived, synchronously, before anything else runs
    for (; seen < client.lines.length; seen++) {
      const a = client.lines[seen]!;
      if (a.ok !== true || !isSend(a)) continue;
      checked++;
      if (committed.get(a.message.id as number) === undefined) uncommitted.push(a.message.id as number);
    }
  };
  // Registered after the client's own listener, so the buffer already holds the new bytes.
  client.text.socket.on('data', onData);
  return {
    uncommitted,
    checked: () => checked,
    stop() {
      client.text.socket.off('data', onData);
      reader.close();
    },
  };
}

describe('crash durability', () => {
  it('keeps every acknowledged message through repeated SIGKILLs, each committed before its ack arrived, and syncs each exactly once', { timeout: 60_000 }, async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
    for (const user of ['alice', 'bob']) expect((await runCli(['users', 'add', user, '--data', dataDir], 'pw\n')).code).toBe(0);
    const acked = new Map<number, string>();
    let n = 0;
    let checkedAcks = 0;

    for (let round = 0; round < 3; round++) {
      const server = await startServerProcess(0, ['--data', dataDir]);
      processes.push(server);
      const alice = await JsonClient.login(server.port, 'alice', 'pw');
      const texts = new Map<number, string>();
      const acks = checkEveryAck(alice, join(dataDir, 'parley.db'), (a) => texts.has(a.re as number));
      // A steady stream, pipelined: many sends are in flight when the kill lands.
      for (let i = 0; i < 60; i++) {
        const id = 100 + i;
        const text = `r${round} m${n++}`;
        texts.set(id, text);
        alice.sendRaw(JSON.stringify({ id, type: 'send', to: ['bob'], text }));
      }
      await alice.waitFor((l) => l.re === 120, 10_000, 'the 20th answer');
      server.child.kill('SIGKILL');
      await server.exited;
      await alice.waitClosed();
      alice.messages(); // parses every line that arrived before the socket closed
      acks.stop();
      expect(acks.uncommitted, 'acknowledged before their commit').toEqual([]);
      checkedAcks += acks.checked();
      for (const a of alice.lines) if (a.ok === true && texts.has(a.re)) acked.set(a.message.id, texts.get(a.re)!);
      alice.close();
    }
    expect(acked.size).toBeGreaterThan(20);
    expect(checkedAcks).toBe(acked.size);

    const server = await startServerProcess(0, ['--data', dataDir]);
    processes.push(server);
    const bob = await JsonClient.login(server.port, 'bob', 'pw');
    const sync = await bob.request({ type: 'sync', after: 0 }, 10_000);
    const got = bob.messages();
    expect(sync.count).toBe(got.length);
    const ids = got.map((m) => m.id as number);
    expect(new Set(ids).size).toBe(ids.length); // exactly once
    const byId = new Map(got.map((m) => [m.id as number, m.text as string]));
    for (const [id, text] of acked) expect(byId.get(id)).toBe(text);

    const history = await bob.request({ type: 'history', conversation: 'direct:alice,bob', limit: 200 });
    const inHistory = new Set(history.messages.map((m: { id: number }) => m.id));
    for (const id of acked.keys()) expect(inHistory.has(id)).toBe(true);
    bob.close();
  });
});
