import { createHash, randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../testkit/storeEngines.ts';
import { broadcast, direct, people } from './scenario.ts';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const uploadId = (): string => randomBytes(16).toString('hex');

describeEachEngine('the file and blob stores', (h) => {
  /** Uploads `bytes` in chunks of `chunk`, as the upload path writes them. */
  async function upload(bytes: Buffer, chunk = 1000): Promise<string> {
    const { blobs } = h.stores();
    const id = uploadId();
    const fd = await blobs.openPartial(id);
    for (let at = 0; at < bytes.length; at += chunk) await blobs.write(fd, bytes.subarray(at, at + chunk), at);
    await blobs.commit(id, fd, sha(bytes));
    return sha(bytes);
  }

  it('stores uploaded bytes once by hash and reads any range of them back', async () => {
    const { blobs } = h.stores();
    const bytes = randomBytes(10_500);
    const hash = await upload(bytes);
    expect(await blobs.has(hash)).toBe(true);
    expect(await blobs.read(hash, 0, 100_000)).toEqual({ data: bytes, size: bytes.length });
    for (const [offset, length] of [[0, 1], [999, 2], [1500, 3000], [10_400, 500], [10_500, 10], [4000, 0]] as const) {
      const r = await blobs.read(hash, offset, length);
      expect(r.size).toBe(bytes.length);
      expect(r.data.equals(bytes.subarray(offset, offset + length)), `${offset}+${length}`).toBe(true);
    }
    // The same bytes again, in other chunks: kept once, still whole.
    expect(await upload(bytes, 4096)).toBe(hash);
    expect((await blobs.read(hash, 0, 100_000)).data.equals(bytes)).toBe(true);
  });

  it('keeps nothing of a discarded upload, and knows no bad or unknown hash', async () => {
    const { blobs } = h.stores();
    const bytes = randomBytes(300);
    const id = uploadId();
    const fd = await blobs.openPartial(id);
    await blobs.write(fd, bytes, 0);
    await blobs.discard(id, fd);
    expect(await blobs.has(sha(bytes))).toBe(false);
    expect(await blobs.has('../../etc/passwd')).toBe(false);
    await expect(blobs.read(sha(bytes), 0, 10)).rejects.toThrow();
    await expect(blobs.openPartial('../x')).rejects.toThrow(/bad upload id/);
    await expect(blobs.read('not-a-hash', 0, 1)).rejects.toThrow(/bad hash/);
  });

  it('stores an empty file', async () => {
    const hash = await upload(Buffer.alloc(0));
    expect(await h.stores().blobs.read(hash, 0, 10)).toEqual({ data: Buffer.alloc(0), size: 0 });
  });

  it('lets a file be read by members of a conversation it was shared in, and by everyone when broadcast', async () => {
    const { files, messages } = h.stores();
    const ids = await people(h.stores(), 'alice', 'bob', 'carol');
    const secret = await upload(randomBytes(50));
    const open = await upload(randomBytes(60));
    await files.record(secret, 50, 1);
    await files.record(secret, 50, 2);
    await files.record(open, 60, 1);
    const info = { name: 'plan.pdf', size: 50, mime: 'application/pdf', sha256: secret };
    const [m] = await messages.append([direct(ids, 'alice', 'bob', '', { kind: 'file', file: info })]);
    expect(m!.file).toEqual(info);
    expect((await messages.message(m!.id))!.file).toEqual(info);
    expect(m!.conversation).toBe('direct:alice,bob');
    expect(await files.visibleTo(ids['bob']!, secret)).toBe(true);
    expect(await files.visibleTo(ids['carol']!, secret)).toBe(false);
    expect(await files.visibleTo(ids['carol']!, open)).toBe(false);
    await messages.append([broadcast(ids, 'bob', '', { kind: 'file', file: { ...info, sha256: open, size: 60 } })]);
    expect(await files.visibleTo(ids['carol']!, open)).toBe(true);
  });
});
