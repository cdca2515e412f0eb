import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_PAGE_URL, appFileFor, serveAppRequest } from './appProtocol.ts';
import { CONTENT_SECURITY_POLICY } from './security.ts';

describe('the app:// scheme', () => {
  let base = '';
  let root = '';
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'parley-protocol-'));
    root = join(base, 'renderer');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Parley</title>');
    writeFileSync(join(root, 'assets', 'index-1.js'), 'export {};');
    writeFileSync(join(base, 'secret.json'), '{"token":"x"}');
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('maps the page and its assets to files in the UI build', () => {
    expect(appFileFor(APP_PAGE_URL, root)).toBe(join(root, 'index.html'));
    expect(appFileFor('app://parley/', root)).toBe(join(root, 'index.html'));
    expect(appFileFor('app://parley/assets/index-1.js?v=1#x', root)).toBe(join(root, 'assets', 'index-1.js'));
  });

  it('refuses other hosts and schemes, malformed paths and unknown file types', () => {
    expect(appFileFor('app://evil/index.html', root)).toBeNull();
    expect(appFileFor(`file://${join(root, 'index.html')}`, root)).toBeNull();
    expect(appFileFor('app://parley/%E0%A4%A', root)).toBeNull();
    expect(appFileFor('app://parley/index.html%00.js', root)).toBeNull();
    expect(appFileFor('app://parley/run.sh', root)).toBeNull();
    expect(appFileFor('not a url', root)).toBeNull();
  });

  it('never names a file outside the UI build, however the path climbs', () => {
    for (const climb of ['../secret.json', '%2e%2e/secret.json', 'assets/..%2f..%2fsecret.json', '..%5csecret.json', '%2e%2e%2f%2e%2e%2fsecret.json']) {
      const file = appFileFor(`app://parley/${climb}`, root);
      if (file !== null) expect(file.startsWith(root + sep)).toBe(true);
    }
    expect(appFileFor('app://parley/assets/..%2f..%2fsecret.json', root)).toBeNull();
  });

  it('serves files with their type and the CSP header, and answers 404 and 405 otherwise', async () => {
    const page = await serveAppRequest(new Request(APP_PAGE_URL), root);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>Parley</title>');
    const script = await serveAppRequest(new Request('app://parley/assets/index-1.js'), root);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');

    const missing = await serveAppRequest(new Request('app://parley/assets/gone.js'), root);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect((await serveAppRequest(new Request('app://parley/%2e%2e/secret.json'), root)).status).toBe(404);
    expect((await serveAppRequest(new Request(APP_PAGE_URL, { method: 'POST', body: 'x' }), root)).status).toBe(405);
  });
});
