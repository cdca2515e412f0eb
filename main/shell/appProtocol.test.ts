import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_PAGE_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, appFileFor, serveAppRequest, uiFileFor } from './appProtocol.ts';
import { DESKTOP_CSP, metaPolicy } from './contentSecurityPolicy.ts';

describe('the app:// scheme', () => {
  let base = '';
  let root = '';
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'parley-protocol-'));
    root = join(base, 'renderer');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><html><head><title>Parley</title></head></html>');
    writeFileSync(join(root, 'assets', 'index-1.js'), 'export {};');
    writeFileSync(join(base, 'secret.json'), '{"token":"x"}');
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('maps the page and its assets to files in the UI build', () => {
    expect(appFileFor(APP_PAGE_URL, root)).toBe(join(root, 'index.html'));
    expect(appFileFor('app://parley/', root)).toBe(join(root, 'index.html'));
    expect(appFileFor('app://parley/assets/index-1.js?v=1#x', root)).toBe(join(root, 'assets', 'index-1.js'));
  });

  it('is registered as a standard, secure scheme before ready', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual([{ scheme: APP_SCHEME, privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(APP_PAGE_URL.startsWith(`${APP_SCHEME}://`)).toBe(true);
  });

  it('tells a malformed path from one that is merely not there', () => {
    expect(uiFileFor('/%E0%A4%A', root)).toBe('malformed');
    expect(uiFileFor('/%', root)).toBe('malformed');
    expect(uiFileFor('/a%00.js', root)).toBe('malformed');
    expect(uiFileFor('/../secret.json', root)).toBeNull();
    expect(uiFileFor('/', root)).toBe(join(root, 'index.html'));
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
    expect(page.headers.get('content-security-policy')).toBe(DESKTOP_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).toContain('<title>Parley</title>');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${metaPolicy(DESKTOP_CSP)}" />`);
    const script = await serveAppRequest(new Request('app://parley/assets/index-1.js'), root);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');

    const missing = await serveAppRequest(new Request('app://parley/assets/gone.js'), root);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(DESKTOP_CSP);
    expect((await serveAppRequest(new Request('app://parley/%2e%2e/secret.json'), root)).status).toBe(404);
    expect((await serveAppRequest(new Request(APP_PAGE_URL, { method: 'POST', body: 'x' }), root)).status).toBe(405);
  });
});
