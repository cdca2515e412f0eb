/**
 * Deleting a file message: as with any deletion nothing of it stays to be read (docs/protocol.md,
 * "Edits, deletions, reactions"): not its name in history or sync, and not its bytes for the
 * conversation it was shared in. The same file shared elsewhere stays readable there.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient } from '../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';

let server: TestServer | undefined;
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

async function json(user: string, n: number): Promise<JsonClient> {
  const c = await JsonClient.login(server!.port, user, 'pw', `127.0.1.${n}`);
  clients.push(c);
  return c;
}

async function share(c: JsonClient, conversation: string, name: string, bytes: Buffer) {
  const started = await c.request({ type: 'upload', conversation, name, size: bytes.length, mime: 'text/plain' });
  expect((await c.request({ type: 'chunk', uploadId: started.uploadId, offset: 0, data: bytes.toString('base64') })).ok).toBe(true);
  const done = await c.request({ type: 'finish', uploadId: started.uploadId, sha256: createHash('sha256').update(bytes).digest('hex') });
  expect(done.ok).toBe(true);
  return done.message as { id: number; file: { sha256: string } };
}

describe('deleting a file message', () => {
  it('takes its name out of history and sync and its bytes out of reach, unless shared elsewhere too', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw', carol: 'pw' });
    const alice = await json('alice', 1);
    const bob = await json('bob', 2);
    const carol = await json('carol', 3);
    const secret = Buffer.from('the salaries of everyone');
    const sent = await share(alice, 'direct:alice,bob', 'salaries.txt', secret);
    const sha256 = sent.file.sha256;
    expect((await bob.request({ type: 'download', sha256, offset: 0, length: 100 })).ok).toBe(true);

    expect((await alice.request({ type: 'delete', message: sent.id })).ok).toBe(true);
    for (const c of [alice, bob]) {
      expect(await c.request({ type: 'download', sha256, offset: 0, length: 100 })).toMatchObject({ ok: false, error: { code: 'not_member' } });
      const hist = await c.request({ type: 'history', conversation: 'direct:alice,bob' });
      expect(hist.messages[0]).toMatchObject({ id: sent.id, deleted: true, text: '' });
      expect(JSON.stringify(hist.messages[0])).not.toContain('salaries');
    }
    const before = bob.lines.length;
    expect((await bob.request({ type: 'sync', after: 0 })).ok).toBe(true);
    expect(JSON.stringify(bob.lines.slice(before))).not.toContain('salaries');

    // Shared in another conversation too: there it stays, and only there.
    const again = await share(alice, 'direct:alice,carol', 'copy.txt', secret);
    const copy = await share(alice, 'direct:alice,bob', 'copy2.txt', secret);
    expect((await alice.request({ type: 'delete', message: copy.id })).ok).toBe(true);
    expect((await carol.request({ type: 'download', sha256: again.file.sha256, offset: 0, length: 100 })).ok).toBe(true);
    expect((await bob.request({ type: 'download', sha256, offset: 0, length: 100 })).ok).toBe(false);
  });
});
