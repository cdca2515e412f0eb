import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WIRE_LIMITS } from '../protocol/index.ts';
import { JsonClient, TextClient } from '../testkit/lineClient.ts';
import { stopTestServer, type TestServer } from '../testkit/testServer.ts';
import { describeEachServerEngine } from '../testkit/serverEngines.ts';
import { storedRows } from '../testkit/storedRows.ts';

let server: TestServer | undefined;
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

const USERS = { alice: 'pw', bob: 'pw', carol: 'pw' };
async function json(user: string, n: number): Promise<JsonClient> {
  const c = await JsonClient.login(server!.port, user, 'pw', `127.0.1.${n}`);
  clients.push(c);
  return c;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Uploads `bytes` from `offset` on in maxChunkBytes chunks; returns the finish answer. */
async function send(c: JsonClient, conversation: string, name: string, bytes: Buffer, mime = 'application/pdf') {
  const started = await c.request({ type: 'upload', conversation, name, size: bytes.length, mime });
  expect(started.ok).toBe(true);
  for (let at = started.offset as number; at < bytes.length; at += WIRE_LIMITS.maxChunkBytes) {
    const data = bytes.subarray(at, at + WIRE_LIMITS.maxChunkBytes).toString('base64');
    expect((await c.request({ type: 'chunk', uploadId: started.uploadId, offset: at, data })).ok).toBe(true);
  }
  return c.request({ type: 'finish', uploadId: started.uploadId, sha256: sha(bytes) });
}

async function fetchAll(c: JsonClient, sha256: string, size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let at = 0; at < size; at += WIRE_LIMITS.maxChunkBytes) {
    const got = await c.request({ type: 'download', sha256, offset: at, length: WIRE_LIMITS.maxChunkBytes });
    expect(got.ok).toBe(true);
    parts.push(Buffer.from(got.data as string, 'base64'));
  }
  return Buffer.concat(parts);
}

/** The bytes are kept once, by hash: one file in the data folder, or one row of PostgreSQL's blobs. */
async function expectStoredOnce(s: TestServer, sha256: string): Promise<void> {
  if (s.store === undefined) return void expect(readdirSync(join(s.dataDir, 'files', sha256.slice(0, 2)))).toEqual([sha256]);
  expect(await storedRows(s, { sqlite: '', postgres: 'SELECT sha256 FROM blobs WHERE sha256 LIKE $1' }, [`${sha256.slice(0, 2)}%`])).toEqual([{ sha256 }]);
}

describeEachServerEngine('files', (startTestServer, engine) => {
  describe('files over JSON', () => {
    it('uploads in chunks, delivers a message of kind file, and lets members download the same bytes', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice', 1);
      const bob = await json('bob', 2);
      const bytes = randomBytes(3 * WIRE_LIMITS.maxChunkBytes + 100);
      const done = await send(alice, 'direct:alice,bob', 'report.pdf', bytes);
      const file = { name: 'report.pdf', size: bytes.length, mime: 'application/pdf', sha256: sha(bytes) };
      expect(done).toMatchObject({ ok: true, message: { kind: 'file', from: 'alice', conversation: 'direct:alice,bob', text: 'report.pdf', file } });
      const ev = await bob.waitFor((l) => l.type === 'message');
      expect(ev.message).toMatchObject({ kind: 'file', file });
      expect(await fetchAll(bob, file.sha256, bytes.length)).toEqual(bytes);
      const hist = await bob.request({ type: 'history', conversation: 'direct:alice,bob' });
      expect(hist.messages[0]).toMatchObject({ kind: 'file', file });
      // Stored once by hash: the same bytes sent again add no second copy.
      await send(alice, 'direct:alice,bob', 'copy.pdf', bytes);
      await expectStoredOnce(server, file.sha256);
    });

    it('a file message can be deleted but not edited (not_editable): its name stays what was sent', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice', 1);
      const done = await send(alice, 'direct:alice,bob', 'report.pdf', Buffer.from('pdf'));
      const id = done.message.id as number;
      expect((await alice.request({ type: 'edit', message: id, text: 'evil.exe' })).error.code).toBe('not_editable');
      expect((await alice.request({ type: 'history', conversation: 'direct:alice,bob' })).messages[0]).toMatchObject({ text: 'report.pdf' });
      expect((await alice.request({ type: 'delete', message: id })).ok).toBe(true);
    });

    it('refuses a download to a non-member, and for a hash never shared, with not_member', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice', 1);
      const carol = await json('carol', 3);
      const bytes = randomBytes(500);
      await send(alice, 'direct:alice,bob', 'secret.txt', bytes, 'text/plain');
      const denied = await carol.request({ type: 'download', sha256: sha(bytes), offset: 0, length: 100 });
      expect(denied.error.code).toBe('not_member');
      expect((await carol.request({ type: 'download', sha256: sha(randomBytes(8)), offset: 0, length: 100 })).error.code).toBe('not_member');
      expect((await carol.request({ type: 'upload', conversation: 'direct:alice,bob', name: 'x', size: 1, mime: 'text/plain' })).error.code).toBe('not_member');
    });

    it('goes to a channel and to everyone like any message', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice', 1);
      const bob = await json('bob', 2);
      await alice.request({ type: 'join', channel: 'lab' });
      await bob.request({ type: 'join', channel: 'lab' });
      const bytes = randomBytes(10);
      expect((await send(alice, 'channel:lab', 'a.bin', bytes, 'application/octet-stream')).delivered).toBe(1);
      expect((await bob.waitFor((l) => l.type === 'message')).message).toMatchObject({ kind: 'file', conversation: 'channel:lab' });
      const carol = await json('carol', 3);
      expect((await carol.request({ type: 'download', sha256: sha(bytes), offset: 0, length: 10 })).error.code).toBe('not_member');
      const open = randomBytes(20);
      await send(alice, 'everyone', 'open.bin', open, 'application/octet-stream');
      expect(Buffer.from((await carol.request({ type: 'download', sha256: sha(open), offset: 0, length: 100 })).data as string, 'base64')).toEqual(open);
    });

    it('checks the hash: a wrong sha256 is hash_mismatch and stores nothing', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice', 1);
      const bytes = randomBytes(100);
      const up = await alice.request({ type: 'upload', conversation: 'direct:alice,bob', name: 'a', size: 100, mime: 'text/plain' });
      await alice.request({ type: 'chunk', uploadId: up.uploadId, offset: 0, data: bytes.toString('base64') });
      const bad = await alice.request({ type: 'finish', uploadId: up.uploadId, sha256: sha(Buffer.from('other')) });
      expect(bad.error.code).toBe('hash_mismatch');
      expect(existsSync(join(server.dataDir, 'files', sha(bytes).slice(0, 2)))).toBe(false);
      expect((await alice.request({ type: 'finish', uploadId: up.uploadId, sha256: sha(bytes) })).error.code).toBe('no_such_upload');
    });

    it('refuses a declared size over --max-file-mb with file_too_large', async () => {
      server = await startTestServer({ limits: { maxFileMb: 1 } }, USERS);
      const alice = await json('alice', 1);
      const big = await alice.request({ type: 'upload', conversation: 'everyone', name: 'big', size: 1024 * 1024 + 1, mime: 'text/plain' });
      expect(big.error.code).toBe('file_too_large');
      expect((await alice.request({ type: 'upload', conversation: 'everyone', name: 'ok', size: 1024 * 1024, mime: 'text/plain' })).ok).toBe(true);
    });

    it('refuses chunks out of order, overlapping or past the end with bad_offset and the current offset', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice', 1);
      const bytes = randomBytes(300);
      const up = await alice.request({ type: 'upload', conversation: 'everyone', name: 'a', size: 300, mime: 'text/plain' });
      const chunk = (offset: number, b: Buffer) => alice.request({ type: 'chunk', uploadId: up.uploadId, offset, data: b.toString('base64') });
      expect((await chunk(100, bytes.subarray(100, 200))).error).toMatchObject({ code: 'bad_offset', offset: 0 });
      expect((await chunk(0, bytes.subarray(0, 150))).offset).toBe(150);
      expect((await chunk(100, bytes.subarray(100, 200))).error).toMatchObject({ code: 'bad_offset', offset: 150 });
      expect((await chunk(150, Buffer.concat([bytes.subarray(150), Buffer.from('extra')]))).error.code).toBe('bad_offset');
      expect((await alice.request({ type: 'finish', uploadId: up.uploadId, sha256: sha(bytes) })).error).toMatchObject({ code: 'upload_incomplete', offset: 150 });
      expect((await chunk(150, bytes.subarray(150))).offset).toBe(300);
      expect((await alice.request({ type: 'finish', uploadId: up.uploadId, sha256: sha(bytes) })).ok).toBe(true);
    });

    it('resumes an interrupted upload: upload again with the same conversation, name and size answers the same uploadId and offset', async () => {
      server = await startTestServer({}, USERS);
      const first = await json('alice', 1);
      const bytes = randomBytes(2 * WIRE_LIMITS.maxChunkBytes);
      const up = await first.request({ type: 'upload', conversation: 'direct:alice,bob', name: 'r.bin', size: bytes.length, mime: 'application/octet-stream' });
      await first.request({ type: 'chunk', uploadId: up.uploadId, offset: 0, data: bytes.subarray(0, WIRE_LIMITS.maxChunkBytes).toString('base64') });
      first.close();
      await first.waitClosed();
      const again = await json('alice', 1);
      const resumed = await again.request({ type: 'upload', conversation: 'direct:alice,bob', name: 'r.bin', size: bytes.length, mime: 'application/octet-stream' });
      expect(resumed).toMatchObject({ ok: true, uploadId: up.uploadId, offset: WIRE_LIMITS.maxChunkBytes });
      const done = await send(again, 'direct:alice,bob', 'r.bin', bytes, 'application/octet-stream');
      expect(done.message.file.sha256).toBe(sha(bytes));
      // Someone else cannot write into it.
      const bob = await json('bob', 2);
      expect((await bob.request({ type: 'chunk', uploadId: up.uploadId, offset: 0, data: 'AA==' })).error.code).toBe('no_such_upload');
    });

    it('bounds open uploads per user and their declared bytes, and expires abandoned ones', async () => {
      let clock = 1_000_000;
      server = await startTestServer({ now: () => clock, limits: { maxOpenUploadsPerUser: 2, maxPendingUploadBytesPerUser: 1000, uploadIdleSec: 1 } }, USERS);
      const alice = await json('alice', 1);
      const up = (name: string, size: number) => alice.request({ type: 'upload', conversation: 'everyone', name, size, mime: 'text/plain' });
      expect((await up('a', 600)).ok).toBe(true);
      expect((await up('b', 600)).error.code).toBe('too_many_uploads');
      expect((await up('b', 400)).ok).toBe(true);
      expect((await up('c', 1)).error.code).toBe('too_many_uploads');
      // One user at the cap hurts no one else.
      const bob = await json('bob', 2);
      expect((await bob.request({ type: 'upload', conversation: 'everyone', name: 'a', size: 600, mime: 'text/plain' })).ok).toBe(true);
      // PostgreSQL keeps an upload's bytes as rows once they arrive: only SQLite's partial files show an empty upload.
      if (engine === 'sqlite') expect(readdirSync(join(server.dataDir, 'files', 'partial'))).toHaveLength(3);
      clock += 5_000; // the sweep runs on its own timer; the injected clock says every upload is abandoned
      if (engine === 'sqlite') await expect.poll(() => readdirSync(join(server!.dataDir, 'files', 'partial')).length, { timeout: 5_000 }).toBe(0);
      else await expect.poll(async () => (await up('b', 600)).ok, { timeout: 5_000 }).toBe(true);
      expect((await up('c', 1)).ok).toBe(true);
    });

    it('rejects path traversal in names: the name is only shown, the bytes are stored by hash', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice', 1);
      const bytes = Buffer.from('x');
      const done = await send(alice, 'everyone', '../../../etc/passwd', bytes, 'text/plain');
      expect(done.message.file.name).toBe('../../../etc/passwd');
      await expectStoredOnce(server, sha(bytes));
      const bad = await alice.request({ type: 'upload', conversation: 'everyone', name: 'a\nb', size: 1, mime: 'text/plain' });
      expect(bad.error.code).toBe('bad_request');
    });
  });

  describe('files for people', () => {
    it('text users see "alice sent a file: report.pdf (1.2 MB)"; IRC users get the same as a NOTICE', async () => {
      server = await startTestServer({}, USERS);
      const bob = await TextClient.login(server.port, 'bob', 'pw');
      clients.push(bob);
      const irc = await TextClient.open(server.port, '127.0.0.1', '127.0.1.3');
      clients.push(irc);
      irc.socket.write('PASS pw\r\nNICK carol\r\nUSER carol 0 * :Carol\r\n');
      await irc.expect(/ 376 /);
      const alice = await json('alice', 1);
      const bytes = randomBytes(1_200_000);
      await send(alice, 'group:alice,bob,carol', 'report.pdf', bytes);
      await bob.expect('alice sent a file: report.pdf (1.2 MB)\n');
      await irc.expect(/NOTICE carol :alice sent a file: report\.pdf \(1\.2 MB\)\r\n/);
    });
  });
});
