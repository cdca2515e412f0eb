/**
 * `npm run security`: Doyensec's electronegativity over main/ and renderer/. It always exits 0
 * itself, so this reads its CSV and fails on any HIGH or MEDIUM finding. The scanner fetches
 * translations from the internet at start; that request is answered "offline" here so the scan
 * never sends traffic anywhere.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cspMetaPlugin } from '../shell/contentSecurityPolicy.ts';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function offlineHttp(): void {
  const scanner = dirname(require.resolve('@doyensec/electronegativity/package.json'));
  const got = require.resolve('got', { paths: [scanner] });
  const refuse = Object.assign((): Promise<never> => Promise.reject(new Error('offline')), { head: (): Promise<never> => Promise.reject(new Error('offline')) });
  require.cache[got] = { id: got, filename: got, loaded: true, exports: refuse } as unknown as NodeJS.Module;
}

export interface Finding {
  severity: string;
  confidence: string;
  id: string;
  file: string;
  location: string;
  description: string;
  manualReview: boolean;
}

interface ScannerIssue {
  manualReview: boolean;
  id: string;
  file: string;
  severity: { name: string };
  confidence: { name: string };
  location: { line: number; column: number };
  description: string;
}

type Run = (options: object, forCli: boolean) => Promise<{ issues: ScannerIssue[] }>;

/** Scans main/ and renderer/ together, so global checks (CSP, navigation) see the whole app. */
export async function scan(folders: string[]): Promise<Finding[]> {
  offlineHttp();
  const input = mkdtempSync(join(tmpdir(), 'parley-scan-'));
  for (const f of folders) cpSync(join(ROOT, f), join(input, f), { recursive: true });
  // The page as the build writes it: its CSP meta tag comes from contentSecurityPolicy.ts.
  const page = join(input, 'renderer', 'index.html');
  if (folders.includes('renderer')) writeFileSync(page, cspMetaPlugin().transformIndexHtml(readFileSync(page, 'utf8')));
  try {
    return await scanFolder(input);
  } finally {
    rmSync(input, { recursive: true, force: true });
  }
}

async function scanFolder(input: string): Promise<Finding[]> {
  const mod = require('@doyensec/electronegativity') as Run | { default: Run };
  const run = typeof mod === 'function' ? mod : mod.default;
  // The programmatic run returns the same findings its CSV output lists (the CLI only writes the CSV and exits 0).
  const result = await run(
    {
      input,
      isRelative: true,
      isSarif: false,
      electronVersionOverride: (require('electron/package.json') as { version: string }).version,
      // Looks up Electron's release list on GitHub: no network here; the version is pinned in package.json.
      excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
      parserPlugins: [],
    },
    false,
  );
  return result.issues.map((i) => ({
    severity: i.severity.name,
    confidence: i.confidence.name,
    id: i.id,
    file: i.file,
    manualReview: i.manualReview,
    location: `${i.location.line}:${i.location.column}`,
    description: i.description,
  }));
}

interface Review {
  id: string;
  file: string;
  reason: string;
}

/** HIGH or MEDIUM findings, except those marked for manual review that security-review.json explains. */
export function unreviewed(findings: Finding[], reviewed: Review[]): Finding[] {
  return findings.filter(
    (f) => /^(HIGH|MEDIUM)$/i.test(f.severity) && !(f.manualReview && reviewed.some((r) => r.id === f.id && r.file === f.file)),
  );
}

async function main(): Promise<void> {
  const findings = await scan(['main', 'renderer']);
  const { reviewed } = JSON.parse(readFileSync(join(ROOT, 'security-review.json'), 'utf8')) as { reviewed: Review[] };
  const failing = unreviewed(findings, reviewed);
  for (const f of findings) {
    const mark = failing.includes(f) ? 'FAIL' : /^(HIGH|MEDIUM)$/i.test(f.severity) ? 'reviewed' : '';
    console.log(`${f.severity.padEnd(13)} ${f.confidence.padEnd(10)} ${f.id.padEnd(40)} ${`${f.file}:${f.location}`.padEnd(36)} ${mark}`);
  }
  console.log(`electronegativity: ${findings.length} findings, ${failing.length} HIGH or MEDIUM not reviewed`);
  if (failing.length > 0) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
