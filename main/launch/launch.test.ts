import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import yaml from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { findElectronBinary, missingElectronMessage } from './electronBinary.ts';
import { unreviewed, type Finding } from './securityScan.ts';

const require = createRequire(import.meta.url);

describe('finding the Electron binary', () => {
  let dir = '';
  afterEach(() => {
    delete process.env.ELECTRON_OVERRIDE_DIST_PATH;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('explains, in one line pointing to npm run web, when there is none', () => {
    process.env.ELECTRON_OVERRIDE_DIST_PATH = join(tmpdir(), 'parley-no-such-electron');
    const found = findElectronBinary();
    expect(found.ok).toBe(false);
    const line = missingElectronMessage(found.ok ? '' : found.reason);
    expect(line).not.toContain('\n');
    expect(line).toContain('npm run web');
  });

  it('finds a binary where one is installed', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-electron-'));
    writeFileSync(join(dir, process.platform === 'win32' ? 'electron.exe' : 'electron'), '');
    process.env.ELECTRON_OVERRIDE_DIST_PATH = dir;
    expect(findElectronBinary()).toMatchObject({ ok: true });
  });
});

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own configuration schema, with every installer, icon and fuse", () => {
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
    const config = yaml.load(readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8')) as Record<string, never>;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const valid = ajv.validate(schema, config);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(config).toMatchObject({
      appId: 'org.parley.desktop',
      productName: 'Parley',
      linux: { target: ['AppImage', 'deb'] },
      win: { target: ['nsis'] },
      mac: { target: ['dmg'] },
      electronFuses: {
        runAsNode: false,
        enableNodeOptionsEnvironmentVariable: false,
        enableNodeCliInspectArguments: false,
        onlyLoadAppFromAsar: true,
        enableEmbeddedAsarIntegrityValidation: true,
        enableCookieEncryption: true,
        grantFileProtocolExtraPrivileges: false,
      },
    });
    // A fuse electron-builder does not know is refused by the same schema.
    expect(ajv.validate(schema, { ...config, electronFuses: { runAsNodee: false } })).toBe(false);
    // The bad case is caught too: a misspelt key fails the same check.
    expect(ajv.validate(schema, { ...config, prodcutName: 'x' })).toBe(false);
  });
});

describe('the electronegativity gate', () => {
  const finding = (patch: Partial<Finding>): Finding => ({
    severity: 'MEDIUM', confidence: 'FIRM', id: 'PRELOAD_JS_CHECK', file: 'main/electron/main.ts', location: '1:1', description: '', manualReview: true, ...patch,
  });
  const reviewed = [{ id: 'PRELOAD_JS_CHECK', file: 'main/electron/main.ts', reason: 'by design' }];

  it('fails on HIGH and MEDIUM findings unless they are reviewed manual-review items', () => {
    expect(unreviewed([finding({})], reviewed)).toEqual([]);
    expect(unreviewed([finding({ file: 'main/other.ts' })], reviewed)).toHaveLength(1);
    expect(unreviewed([finding({ id: 'WEB_SECURITY_JS_CHECK', manualReview: false })], reviewed)).toHaveLength(1);
    expect(unreviewed([finding({ manualReview: false })], reviewed)).toHaveLength(1);
    expect(unreviewed([finding({ severity: 'HIGH', id: 'LIMIT_NAVIGATION_GLOBAL_CHECK' })], reviewed)).toHaveLength(1);
    expect(unreviewed([finding({ severity: 'LOW', id: 'CSP_GLOBAL_CHECK' })], reviewed)).toEqual([]);
  });
});
