import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TextClient } from '../testkit/lineClient.ts';
import { runCli, startServerProcess, type ServerProcess } from '../testkit/serverProcess.ts';
import { CERT_FILE } from '../net/tlsCertificate.ts';
import { REQUIRE_TLS_LINE } from '../net/tlsSniff.ts';

let dir: string;
let proc: ServerProcess | undefined;
const clients: TextClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  if (proc && proc.child.exitCode === null) {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
  proc = undefined;
  rmSync(dir, { recursive: true, force: true });
});
const freshDir = (): string => (dir = mkdtempSync(join(tmpdir(), 'parley-tlscli-')));
const FP_LINE = /^TLS fingerprint \(SHA-256\): ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$/m;
const OPENSSL = ['/usr/bin/openssl', '/usr/local/bin/openssl'].find((p) => existsSync(p));

describe('parley-server TLS options', () => {
  it('prints the fingerprint at every start, as `fingerprint` and openssl print it', async () => {
    const data = freshDir();
    proc = await startServerProcess(0, ['--data', data, '--no-announce']);
    const printed = FP_LINE.exec(proc.stdout())?.[1];
    expect(printed).toBeDefined();
    const again = await runCli(['fingerprint', '--data', data]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`TLS fingerprint (SHA-256): ${printed}\n`);
    if (OPENSSL) {
      const openssl = execFileSync(OPENSSL, ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(data, CERT_FILE)], { encoding: 'utf8' });
      expect(openssl.trim().split('=')[1]).toBe(printed);
    } else {
      console.log('openssl not installed: compared with parley-server fingerprint only');
    }
  });

  it('says in one line when there is no certificate yet, and rejects contradictory flags', async () => {
    const data = freshDir();
    const none = await runCli(['fingerprint', '--data', join(data, 'nothing')]);
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    const half = await runCli(['0', '--data', data, '--tls-cert', 'x.pem']);
    expect(half.stderr).toBe('parley-server: --tls-cert and --tls-key go together\n');
    const both = await runCli(['0', '--data', data, '--no-tls', '--require-tls']);
    expect(both.code).toBe(1);
  });

  it('--require-tls answers a plain line with one clear line and closes', async () => {
    const data = freshDir();
    proc = await startServerProcess(0, ['--data', data, '--require-tls', '--no-announce']);
    const c = await TextClient.open(proc.port);
    clients.push(c);
    c.send('alice');
    await c.waitClosed();
    expect(c.buffer).toBe(REQUIRE_TLS_LINE);
    const tls = await TextClient.openTls(proc.port, { rejectUnauthorized: false });
    clients.push(tls);
    await tls.expect('Username: ');
  });

  it('--no-tls makes no certificate and says the traffic is clear text', async () => {
    const data = freshDir();
    proc = await startServerProcess(0, ['--data', data, '--no-tls', '--no-announce']);
    expect(proc.stdout()).not.toMatch(FP_LINE);
    expect(proc.stdout()).toContain('TLS is off: everything crosses the network in clear text.');
    expect(existsSync(join(data, CERT_FILE))).toBe(false);
  });
});
