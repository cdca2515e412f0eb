import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient } from '../../server/testkit/lineClient.ts';
import { startTcpProxy, type TcpProxy } from '../../server/testkit/tcpProxy.ts';
import { testCa } from '../../server/testkit/testCa.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import type { MessageChange } from './api.ts';
import { createCore, type Core } from './core.ts';
import { collect, nextEvent, stateWhere } from './testing.ts';

const TEST_CA = (await testCa()).caPem;

let server: TestServer | undefined;
let proxy: TcpProxy | undefined;
const cores: Core[] = [];
const clients: JsonClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  for (const c of clients.splice(0)) c.close();
  await proxy?.close();
  proxy = undefined;
  await stopTestServer(server);
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newCore(): Core {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-changes-'));
  dirs.push(dataDir);
  const core = createCore({ trustedCa: [TEST_CA], dataDir, backoff: { initialMs: 20, maxMs: 200 } });
  cores.push(core);
  return core;
}

/** A loopback port nothing listens on: the proxy's connections to it fail, so the app stays offline. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const words = (c: MessageChange): string =>
  c.type === 'edited' ? `edited ${c.message.id} ${c.message.text}` : c.type === 'deleted' ? `deleted ${c.message}` : `${c.on ? 'react' : 'unreact'} ${c.message} ${c.emoji} ${c.user}`;

describe('edits, deletions and reactions through main/core', () => {
  it('an app offline through 3 edits, a deletion and reactions gets each once, in order, and nothing more on the next sync', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    proxy = await startTcpProxy(server.port);
    const alice = newCore();
    expect((await alice.login({ host: '127.0.0.1', port: proxy.port, user: 'alice', password: 'pw' })).ok).toBe(true);
    const bob = await JsonClient.login(server.port, 'bob', 'pw', '127.0.6.1');
    clients.push(bob);
    const messages = collect(alice.onMessage);
    const ids: number[] = [];
    for (const text of ['one', 'two', 'three']) ids.push((await bob.request({ type: 'send', to: ['alice'], text })).message.id);
    await messages.until(3);
    const [m1, m2, m3] = ids as [number, number, number];

    const changes = collect(alice.onMessageChange);
    proxy.targetPort = await closedPort();
    proxy.cut();
    await stateWhere(alice, (s) => s.connection.status === 'reconnecting', 5_000, 'offline');
    await bob.request({ type: 'edit', message: m1, text: 'one!' });
    await bob.request({ type: 'edit', message: m2, text: 'two!' });
    await bob.request({ type: 'react', message: m3, emoji: '👍' });
    await bob.request({ type: 'edit', message: m3, text: 'three!' });
    await bob.request({ type: 'delete', message: m2 });
    await bob.request({ type: 'unreact', message: m3, emoji: '👍' });
    await bob.request({ type: 'react', message: m1, emoji: '🎉' });
    // Offline, the app's own changes fail clearly instead of waiting.
    expect(await alice.react({ message: m1, emoji: '👀' })).toMatchObject({ ok: false, error: { code: 'not_connected' } });

    proxy.targetPort = server.port;
    alice.reconnectNow();
    const expected = [`edited ${m1} one!`, `edited ${m2} `, `react ${m3} 👍 bob`, `edited ${m3} three!`, `deleted ${m2}`, `unreact ${m3} 👍 bob`, `react ${m1} 🎉 bob`];
    expect((await changes.until(expected.length)).map(words)).toEqual(expected);

    // Another drop and sync: nothing is replayed again. A new message marks the end of that sync.
    await stateWhere(alice, (s) => s.connection.status === 'online', 5_000, 'online');
    proxy.cut();
    await stateWhere(alice, (s) => s.connection.status === 'online' && proxy!.openCount() > 0, 5_000, 'online again');
    await bob.request({ type: 'send', to: ['alice'], text: 'four' });
    await messages.until(4);
    expect(changes.values.map(words)).toEqual(expected);
  });

  it('the app’s own edit, deletion and reaction come back as changes once, reach the other member, and are not replayed by a sync', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    proxy = await startTcpProxy(server.port);
    const alice = newCore();
    await alice.login({ host: '127.0.0.1', port: proxy.port, user: 'alice', password: 'pw' });
    const bob = await JsonClient.login(server.port, 'bob', 'pw', '127.0.6.2');
    clients.push(bob);
    const changes = collect(alice.onMessageChange);
    const sent = nextEvent(alice.onSent, () => true, 5_000, 'sent');
    await alice.send({ conversation: 'direct:alice,bob', text: 'helo' });
    const id = (await sent).message.id;
    const edit = await alice.editMessage({ message: id, text: 'hello' });
    expect(edit).toMatchObject({ ok: true, value: { id, text: 'hello', edited: true } });
    expect(await bob.waitFor((l) => l.type === 'edited')).toMatchObject({ message: { id, text: 'hello' } });
    expect((await alice.react({ message: id, emoji: '👍' })).ok).toBe(true);
    expect((await alice.react({ message: id, emoji: '👍' })).ok).toBe(true);
    expect(await bob.waitFor((l) => l.type === 'reaction')).toMatchObject({ message: id, emoji: '👍', user: 'alice', on: true });
    expect(await alice.editMessage({ message: id + 1000, text: 'x' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await alice.deleteMessage({ message: id })).ok).toBe(true);
    expect(await bob.waitFor((l) => l.type === 'deleted')).toMatchObject({ message: id, conversation: 'direct:alice,bob' });
    const expected = [`edited ${id} hello`, `react ${id} 👍 alice`, `deleted ${id}`];
    expect(changes.values.map(words)).toEqual(expected);

    const messages = collect(alice.onMessage);
    proxy.cut();
    await stateWhere(alice, (s) => s.connection.status === 'online' && proxy!.openCount() > 0, 5_000, 'online again');
    await bob.request({ type: 'send', to: ['alice'], text: 'after' });
    await messages.until(1);
    expect(changes.values.map(words)).toEqual(expected);
  });
});
