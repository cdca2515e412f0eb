import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: ROOT, ignore: false });

/** Lints a fixture as if it were the file at `asPath`, and returns the layer rule's messages. */
async function lintAs(fixture: string, asPath: string, rule = 'boundaries/dependencies'): Promise<Linter.LintMessage[]> {
  const code = readFileSync(new URL(`./fixtures/${fixture}`, import.meta.url), 'utf8');
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${asPath}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === rule);
}

/** The line numbers the rule flags. */
const lines = (messages: Linter.LintMessage[]): number[] => messages.map((m) => m.line);

describe('the layer rule (eslint.layers.js)', () => {
  it('refuses electron in main/core', async () => {
    const messages = await lintAs('coreImportsElectron.ts', 'main/core/fixture.ts');
    expect(lines(messages)).toEqual([2]);
    expect(messages[0]!.message).toMatch(/electron/);
  });

  it('refuses main/core importing the shell above it', async () => {
    expect(lines(await lintAs('coreImportsShell.ts', 'main/core/fixture.ts'))).toEqual([2]);
  });

  it('lets the shell import the API and the Core type, but not core code or internals', async () => {
    expect(lines(await lintAs('shellImportsCoreInternals.ts', 'main/shell/fixture.ts'))).toEqual([2, 4]);
  });

  it('lets the renderer import the API and the pure protocol, and nothing of Node or core', async () => {
    expect(lines(await lintAs('rendererImportsNode.ts', 'renderer/src/lib/fixture.ts'))).toEqual([2, 3]);
  });

  it('lets a renderer test run against a real core', async () => {
    expect(lines(await lintAs('rendererImportsNode.ts', 'renderer/src/lib/fixture.test.ts'))).toEqual([]);
  });

  it('refuses server/ importing anything of main/', async () => {
    expect(lines(await lintAs('serverImportsMain.ts', 'server/chat/fixture.ts'))).toEqual([2]);
  });

  it('lets only the PostgreSQL store (and the test cluster) import pg', async () => {
    expect(lines(await lintAs('serverImportsPg.ts', 'server/chat/fixture.ts'))).toEqual([2]);
    expect(lines(await lintAs('serverImportsPg.ts', 'server/store/postgres/fixture.ts'))).toEqual([]);
    expect(lines(await lintAs('serverImportsPg.ts', 'server/testkit/fixture.ts'))).toEqual([]);
  });

  it('keeps the API files free of core internals, since the renderer imports them', async () => {
    expect(lines(await lintAs('apiImportsCore.ts', 'main/core/api.ts'))).toEqual([3]);
  });
});

describe('import cycles', () => {
  it('are reported by import-x/no-cycle', async () => {
    const [result] = await eslint.lintFiles([`${ROOT}/checks/fixtures/cycleA.ts`]);
    expect(result!.messages.filter((m) => m.ruleId === 'import-x/no-cycle').map((m) => m.line)).toEqual([2]);
  });
});
