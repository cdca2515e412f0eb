/**
 * Saving a downloaded file on the desktop: the person picks where in a save dialog (offered
 * under the file's own name, made safe: a name is the sender's text and never a path), and the
 * bytes are written there. Never opened or rendered: saving is all the app does with a file.
 */
import { writeFile } from 'node:fs/promises';
import type { Result } from '../core/api.ts';

/** The sender's name as a default file name: no folders, no leading dots, nothing empty. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^\.+/, '').trim();
  return cleaned || 'download';
}

/** `ask` shows the save dialog with a suggested name and answers the chosen path, or undefined when cancelled. */
export async function saveDownloadedFile(
  args: { name: string; data: string },
  ask: (suggested: string) => Promise<string | undefined>,
): Promise<Result<{ saved: boolean }>> {
  const path = await ask(safeFileName(args.name));
  if (!path) return { ok: true, value: { saved: false } };
  await writeFile(path, Buffer.from(args.data, 'base64'), { mode: 0o600 });
  return { ok: true, value: { saved: true } };
}
