/**
 * Reads a password: from a prompt without echo on a terminal, otherwise the next line of stdin
 * (so scripts can pipe it in).
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

export async function readSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) return readStdinLine();
  process.stderr.write(prompt);
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

let stdinLines: Promise<string[]> | undefined;

/** Each call returns the next line of piped stdin ('' when it has run out). */
async function readStdinLine(): Promise<string> {
  stdinLines ??= (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
  })();
  const lines = await stdinLines;
  return lines.shift() ?? '';
}
