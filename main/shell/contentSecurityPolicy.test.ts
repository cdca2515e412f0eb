import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cspMetaPlugin, DESKTOP_CSP, metaPolicy, webHostCsp, withMetaCsp } from './contentSecurityPolicy.ts';

const directive = (csp: string, name: string): string | undefined =>
  csp
    .split('; ')
    .find((d) => d.startsWith(`${name} `))
    ?.slice(name.length + 1);

describe('the Content-Security-Policy', () => {
  it('lets the desktop page connect to nothing: no ws: or any other network source', () => {
    expect(directive(DESKTOP_CSP, 'connect-src')).toBe("'none'");
    expect(DESKTOP_CSP).not.toMatch(/ws:|wss:|http:|\*/);
    expect(directive(DESKTOP_CSP, 'default-src')).toBe("'none'");
    expect(directive(DESKTOP_CSP, 'script-src')).toBe("'self'");
  });

  it("lets the browser host's page open only the host's own loopback socket, differing in nothing else", () => {
    const web = webHostCsp(5175);
    expect(directive(web, 'connect-src')).toBe('ws://127.0.0.1:5175 ws://localhost:5175');
    expect(web.replace(/connect-src [^;]*/, '')).toBe(DESKTOP_CSP.replace(/connect-src [^;]*/, ''));
  });

  it('is written into the page at build, never typed into renderer/index.html', () => {
    const source = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    expect(source).not.toMatch(/Content-Security-Policy/i);
    const built = cspMetaPlugin().transformIndexHtml(source);
    expect(built).toContain(`<meta http-equiv="Content-Security-Policy" content="${metaPolicy(DESKTOP_CSP)}" />`);
    // frame-ancestors has no effect in a meta tag (the header carries it).
    expect(metaPolicy(DESKTOP_CSP)).not.toContain('frame-ancestors');
  });

  it("swaps the page's policy for another one, keeping a single meta tag", () => {
    const built = cspMetaPlugin().transformIndexHtml('<html><head><title>x</title></head></html>');
    const swapped = withMetaCsp(built, webHostCsp(9));
    expect(swapped.match(/Content-Security-Policy/g)).toHaveLength(1);
    expect(swapped).toContain('ws://127.0.0.1:9');
  });
});
