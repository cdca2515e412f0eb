import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testCa } from '../../server/testkit/testCa.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { checkArgs } from './apiArgs.ts';
import { createCore, type Core } from './core.ts';
import { nextEvent } from './testing.ts';

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

describe('core search', () => {
  it('searches the conversations the user is in and opens a result with the page around it', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await loggedIn('alice');
    for (let i = 0; i < 6; i++) {
      const sent = nextEvent(alice.onSent);
      await alice.send({ conversation: 'direct:alice,bob', text: i === 2 ? 'the rollout plan' : `filler ${i}` });
      await sent;
    }
    const found = await alice.search({ query: 'rollout' });
    expect(found.ok && found.value).toMatchObject({ hasMore: false, results: [{ message: { text: 'the rollout plan' }, snippet: 'the \u0002rollout\u0003 plan' }] });
    const id = found.ok ? found.value.results[0]!.message.id : 0;
    const page = await alice.history({ conversation: 'direct:alice,bob', around: id, limit: 3 });
    expect(page.ok && page.value.messages.map((m) => m.text)).toEqual(['filler 3', 'the rollout plan', 'filler 1']);
    expect(page.ok && page.value).toMatchObject({ hasMore: true, hasNewer: true });
    const empty = await alice.search({ query: ' ' });
    expect(!empty.ok && empty.error.code).toBe('empty_query');
    // The bridges refuse what no well-formed renderer sends.
    expect(checkArgs('search', [{ query: 'x'.repeat(801) }]).ok).toBe(false);
    expect(checkArgs('search', [{ query: 'x', sort: 'random' }]).ok).toBe(false);
    expect(checkArgs('search', [{ query: 'x', limit: 20, sort: 'best', conversation: 'everyone', before: 9 }]).ok).toBe(true);
  });
});
