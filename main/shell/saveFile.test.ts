import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { safeFileName, saveDownloadedFile } from './saveFile.ts';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('saveDownloadedFile', () => {
  it('offers a safe name, writes the bytes where the person chose, and does nothing when cancelled', async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-save-'));
    const asked: string[] = [];
    const target = join(dir, 'chosen.pdf');
    const saved = await saveDownloadedFile({ name: '../../etc/report.pdf', data: Buffer.from('%PDF').toString('base64') }, async (name) => (asked.push(name), target));
    expect(saved).toEqual({ ok: true, value: { saved: true } });
    expect(asked).toEqual(['report.pdf']);
    expect(readFileSync(target, 'utf8')).toBe('%PDF');
    expect(await saveDownloadedFile({ name: 'x', data: '' }, async () => undefined)).toEqual({ ok: true, value: { saved: false } });
  });

  it('never suggests a path, a hidden name or an empty one', () => {
    expect(safeFileName('..\\..\\win.ini')).toBe('win.ini');
    expect(safeFileName('.bashrc')).toBe('bashrc');
    expect(safeFileName('a<b>:c.txt')).toBe('a_b__c.txt');
    expect(safeFileName('../')).toBe('download');
  });
});
