#!/usr/bin/env node
// Draws Parley's icons as PNGs in plain Node (no image tools needed): the app icon (a speech
// bubble) at 256 and 512 px, and tray icons for available / away / offline, each with an
// unread-dot variant, at 1x (16 px) and 2x (32 px). Run: node scripts/makeIcons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
const crc32 = (buf) => {
  let c = -1;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
};
const chunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
};
function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) raw.set(pixel(x + 0.5, y + 0.5), y * (size * 4 + 1) + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
// Coverage of a disc, antialiased by distance to its edge.
const disc = (x, y, cx, cy, r) => Math.max(0, Math.min(1, r - Math.hypot(x - cx, y - cy) + 0.5));
const over = (base, [r, g, b], a) => [r * a + base[0] * (1 - a), g * a + base[1] * (1 - a), b * a + base[2] * (1 - a), Math.max(base[3], a * 255)];

const BLUE = [58, 98, 215];
const COLORS = { available: [31, 138, 76], away: [214, 134, 0], offline: [128, 134, 148] };

function appIcon(size) {
  const s = size / 512;
  return png(size, (x, y) => {
    let px = [0, 0, 0, 0];
    const bubble = Math.max(disc(x, y, 256 * s, 236 * s, 200 * s), x > 110 * s && x < 230 * s && y > 330 * s && y < 470 * s && x - 110 * s > (y - 330 * s) * 0.2 ? 1 : 0);
    px = over(px, BLUE, bubble);
    for (const cx of [176, 256, 336]) px = over(px, [255, 255, 255], disc(x, y, cx * s, 236 * s, 28 * s));
    return px.map(Math.round);
  });
}

function trayIcon(size, status, unread) {
  const s = size / 16;
  return png(size, (x, y) => {
    let px = over([0, 0, 0, 0], COLORS[status], disc(x, y, 7 * s, 8 * s, 6 * s));
    if (status === 'offline') px = over(px, [255, 255, 255], disc(x, y, 7 * s, 8 * s, 3.2 * s));
    if (status === 'away') px = over(px, [255, 255, 255], disc(x, y, 4.5 * s, 6 * s, 3.3 * s) * (x < 7 * s ? 1 : 0));
    if (unread) px = over(px, [211, 47, 47], disc(x, y, 12.5 * s, 3.5 * s, 3.2 * s));
    return px.map(Math.round);
  });
}

const out = new URL('../resources/', import.meta.url);
writeFileSync(new URL('icon.png', out), appIcon(512));
writeFileSync(new URL('icon-256.png', out), appIcon(256));
for (const status of Object.keys(COLORS)) {
  for (const unread of [false, true]) {
    const base = `tray-${status}${unread ? '-unread' : ''}`;
    writeFileSync(new URL(`${base}.png`, out), trayIcon(16, status, unread));
    writeFileSync(new URL(`${base}@2x.png`, out), trayIcon(32, status, unread));
  }
}
console.log('icons written to resources/');
