import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testCa } from '../../server/testkit/testCa.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { createCore, type Core } from './core.ts';
import { nextEvent, stateWhere } from './testing.ts';

const TEST_CA = (await testCa()).caPem;
let server: TestServer | undefined;
const cores: Core[] = [];
const dirs: string[] = [];

async function loggedIn(user: string): Promise<Core> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-core-'));
  dirs.push(dataDir);
  const core = createCore({ trustedCa: [TEST_CA], dataDir, backoff: { initialMs: 20, maxMs: 200 } });
  cores.push(core);
  expect(await core.login({ host: '127.0.0.1', port: server!.port, user, password: 'pw' })).toEqual({ ok: true, value: { user } });
  return core;
}

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  await stopTestServer(server);
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('core: typing and mentions', () => {
  it('passes typing to the other user\'s onTyping, and refuses a conversation the user is not in', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    const seen = nextEvent(bob.onTyping);
    expect(await alice.typing({ conversation: 'direct:alice,bob' })).toEqual({ ok: true, value: null });
    expect(await seen).toEqual({ conversation: 'direct:alice,bob', user: 'alice' });
    const refused = await alice.typing({ conversation: 'channel:nowhere' });
    expect(refused.ok === false && refused.error.code).toBe('not_member');
  });

  it('keeps unread mentions apart from unread counts in its state, and clears them on read', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    await alice.send({ conversation: 'direct:alice,bob', text: 'hello' });
    await alice.send({ conversation: 'direct:alice,bob', text: '@bob look at this' });
    const s = await stateWhere(bob, (st) => st.unread === 2 && st.mentions === 1, 5_000, 'two unread, one mention');
    expect(s.mentionsByConversation).toEqual({ 'direct:alice,bob': 1 });
    const history = await bob.history({ conversation: 'direct:alice,bob' });
    const newest = history.ok ? history.value.messages[0]!.id : 0;
    expect(await bob.read({ conversation: 'direct:alice,bob', upTo: newest })).toEqual({ ok: true, value: { unread: 0, mentions: 0 } });
    expect((await bob.getState()).mentions).toBe(0);
  });
});
