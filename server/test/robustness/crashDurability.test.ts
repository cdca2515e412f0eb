import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient } from '../../testkit/lineClient.ts';
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

describe('crash durability', () => {
  it('keeps every acknowledged message through repeated SIGKILLs, and syncs each exactly once', { timeout: 60_000 }, async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
    for (const user of ['alice', 'bob']) expect((await runCli(['users', 'add', user, '--data', dataDir], 'pw\n')).code).toBe(0);
    const acked = new Map<number, string>();
    let n = 0;

    for (let round = 0; round < 3; round++) {
      const server = await startServerProcess(0, ['--data', dataDir]);
      processes.push(server);
      const alice = await JsonClient.login(server.port, 'alice', 'pw');
      // A steady stream, pipelined: many sends are in flight when the kill lands.
      const texts = new Map<number, string>();
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
      for (const a of alice.lines) if (a.ok === true && texts.has(a.re)) acked.set(a.message.id, texts.get(a.re)!);
      alice.close();
    }
    expect(acked.size).toBeGreaterThan(20);

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
