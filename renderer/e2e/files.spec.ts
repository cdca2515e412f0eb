/**
 * Files and images through `npm run web` in Debian's Chromium: alice attaches an image and a PDF
 * with the Attach file button, drops a text file and pastes a screenshot; bob sees the images as
 * thumbnails drawn from the bytes and the others as cards, and downloads one, which arrives as a
 * download from the host's /files route with the file's name and bytes (never opened as a page).
 */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { history, joinAs, person } from './helpers.ts';

test.describe.configure({ mode: 'serial' });

let server: TestServer | undefined;
let alice: Page;
let bob: Page;
const closers: Array<() => unknown> = [];

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true });
  closers.push(() => context.close());
  return context.newPage();
}

test.afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await stopTestServer(server);
});

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
/** A real PNG (a colour gradient), so the thumbnail shows something a person can see. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set([(x * 255) / width, (y * 255) / height, 160], y * (width * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(30_000, 7)]);

test('alice attaches an image and a PDF; bob sees a thumbnail and a card', async ({ browser }, info) => {
  server = await startTestServer({ selfSigned: true }, { alice: 'pw', bob: 'pw' });
  alice = await newPage(browser);
  bob = await newPage(browser);
  await joinAs(alice, server.port, 'alice');
  await joinAs(bob, server.port, 'bob');
  await person(alice, 'bob').click();
  await expect(alice.getByRole('region', { name: 'Conversation: bob' })).toBeVisible();
  await person(bob, 'alice').click();

  await expect(alice.getByRole('button', { name: 'Attach file' })).toBeVisible();
  const chooser = alice.waitForEvent('filechooser');
  await alice.getByRole('button', { name: 'Attach file' }).click();
  await (await chooser).setFiles([
    { name: 'gradient.png', mimeType: 'image/png', buffer: png(320, 200) },
    { name: 'report.pdf', mimeType: 'application/pdf', buffer: PDF },
  ]);
  const thumb = history(bob).getByRole('img', { name: 'gradient.png' });
  await expect(thumb).toBeVisible();
  // Scaled in the renderer: a 320 px image becomes a 240 px thumbnail from a blob: URL.
  expect(await thumb.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.src.startsWith('blob:')])).toEqual([240, true]);
  await expect(history(bob).getByText('report.pdf')).toBeVisible();
  await expect(history(bob).getByText('30 KB')).toBeVisible();
  await expect(history(alice).getByRole('img', { name: 'gradient.png' })).toBeVisible();
  // Her own file can be deleted, not edited (the server would answer not_editable).
  const own = history(alice).getByRole('article', { name: 'Message from alice' }).filter({ hasText: 'report.pdf' });
  await own.hover();
  await expect(own.getByRole('button', { name: 'Delete' })).toHaveCount(1);
  await expect(own.getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await bob.screenshot({ path: info.outputPath('files-received.png') });
  await info.attach('files received', { path: info.outputPath('files-received.png'), contentType: 'image/png' });
});

test('bob downloads the PDF: a download with its name and bytes, never a page', async () => {
  const download = bob.waitForEvent('download');
  await history(bob).getByRole('button', { name: 'Download report.pdf' }).click();
  const file = await download;
  // Through the host's /files route (its Content-Disposition names it), not a blob: URL.
  expect(file.url()).toMatch(new RegExp(`^http://[^/]+/files/[0-9a-f]{64}\\?`));
  expect(file.suggestedFilename()).toBe('report.pdf');
  expect(readFileSync((await file.path())!)).toEqual(PDF);
  await expect(bob.getByRole('textbox', { name: 'Message' })).toBeVisible();
});

test('a dropped file and a pasted screenshot are sent too; a big upload shows a progress bar', async ({}, info) => {
  const pane = alice.getByRole('region', { name: /^Conversation: / });
  const dropped = await alice.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['meeting notes'], 'notes.txt', { type: 'text/plain' }));
    return dt;
  });
  await pane.dispatchEvent('drop', { dataTransfer: dropped });
  await expect(history(bob).getByText('notes.txt')).toBeVisible();

  const shot = png(120, 80).toString('base64');
  await alice.getByRole('textbox', { name: 'Message' }).evaluate((box, b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'screenshot.png', { type: 'image/png' }));
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, shot);
  await expect(history(bob).getByRole('img', { name: 'screenshot.png' })).toBeVisible();

  const chooser = alice.waitForEvent('filechooser');
  await alice.getByRole('button', { name: 'Attach file' }).click();
  await (await chooser).setFiles([{ name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(12 * 1024 * 1024, 1) }]);
  const bar = alice.getByRole('progressbar', { name: 'Uploading big.bin' });
  await expect(bar).toBeVisible();
  await alice.screenshot({ path: info.outputPath('file-uploading.png') });
  await info.attach('uploading', { path: info.outputPath('file-uploading.png'), contentType: 'image/png' });
  await expect(bar).toBeHidden({ timeout: 60_000 });
  await expect(history(bob).getByText('big.bin')).toBeVisible();
  await bob.screenshot({ path: info.outputPath('files-all.png') });
  await info.attach('all files', { path: info.outputPath('files-all.png'), contentType: 'image/png' });
});
