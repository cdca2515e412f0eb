/**
 * How a shared file is told in words: the text dialect, IRC and the app all say
 * `alice sent a file: report.pdf (1.2 MB)`.
 */
import type { FileInfo } from './types.ts';

const UNITS = ['KB', 'MB', 'GB'] as const;

/** `512 B`, `1.2 MB`: decimal units, one decimal below 10. */
export function formatFileSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  let value = bytes;
  let unit: string = 'B';
  for (const u of UNITS) {
    if (value < 1000) break;
    value /= 1000;
    unit = u;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}

/** The sentence for people; the name is the sender's text, so a terminal still escapes it. */
export function fileSentence(from: string, file: Pick<FileInfo, 'name' | 'size'>): string {
  return `${from} sent a file: ${file.name} (${formatFileSize(file.size)})`;
}
