/**
 * `parley-client <host> <port>`: the terminal client for the text dialect. It answers the
 * server's prompts (the password without echo), then gives a command prompt; incoming lines are
 * printed above the line being typed, which is redrawn intact.
 */
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

const [host, portText] = process.argv.slice(2);
if (!host || !portText || !/^\d+$/.test(portText) || Number(portText) > 65535) {
  process.stderr.write('Usage: parley-client <host> <port>\n');
  process.exit(1);
}
const port = Number(portText);
const interactive = Boolean(process.stdin.isTTY);

// The terminal echo goes through this stream, so muting it hides the password as it is typed.
let muted = false;
const output = new Writable({
  write(chunk, _enc, done) {
    if (!muted) process.stdout.write(chunk);
    done();
  },
});
const rl = createInterface({ input: process.stdin, output, terminal: interactive });

const socket = connect({ host, port });
socket.setEncoding('utf8');
socket.setNoDelay(true);
let phase: 'login' | 'chat' = 'login';
let pending = '';
let closing = false;

/** Prints a line from the server without garbling what the user is typing. */
function show(line: string): void {
  if (interactive && phase === 'chat') {
    process.stdout.write('\r\x1b[2K');
    process.stdout.write(line + '\n');
    rl.prompt(true);
  } else {
    process.stdout.write(line + '\n');
  }
}

socket.on('data', (chunk: string) => {
  pending += chunk;
  let nl: number;
  while ((nl = pending.indexOf('\n')) !== -1) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line.startsWith('Welcome, ')) {
      phase = 'chat';
      rl.setPrompt('> ');
    }
    show(line);
  }
  // Prompts end without a newline: answer them here.
  if (pending === 'Username: ' || pending === 'Password: ') {
    const isPassword = pending === 'Password: ';
    pending = '';
    process.stdout.write(isPassword ? 'Password: ' : 'Username: ');
    muted = isPassword && interactive;
    rl.setPrompt('');
  }
  if (phase === 'chat' && interactive) rl.prompt(true);
});

rl.on('line', (line) => {
  if (muted) {
    muted = false;
    process.stdout.write('\n');
  }
  if (!socket.writable) return;
  socket.write(line + '\n');
  if (line.trim().toLowerCase() === 'logout') closing = true;
});

// Ctrl+C: log out first, then leave.
rl.on('SIGINT', () => {
  closing = true;
  if (phase === 'chat' && socket.writable) socket.write('logout\n');
  else socket.end();
});
rl.on('close', () => {
  if (!interactive && socket.writable) {
    // Piped input ran out: stay for the answers, then leave when the server closes.
    return;
  }
  if (phase === 'chat' && socket.writable && !closing) socket.write('logout\n');
});

socket.on('error', (err: NodeJS.ErrnoException) => {
  const why = err.code === 'ECONNREFUSED' ? 'connection refused (is the server running?)'
    : err.code === 'ENOTFOUND' ? 'unknown host'
    : err.code === 'ETIMEDOUT' ? 'timed out'
    : err.message;
  process.stderr.write(`parley-client: cannot connect to ${host}:${port}: ${why}\n`);
  process.exit(1);
});

socket.on('close', () => {
  if (pending) process.stdout.write(pending + '\n');
  if (interactive) process.stdout.write('\r\x1b[2K');
  process.stdout.write('Disconnected.\n');
  rl.close();
  process.exit(0);
});
