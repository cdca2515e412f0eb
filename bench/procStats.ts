/** Server CPU time and memory from /proc, so figures count the server's own work only. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLK_TCK = Number(process.env.CLK_TCK ?? (() => {
  try {
    return execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
  } catch {
    return '100';
  }
})());

/** utime + stime of a whole process (all threads), in seconds. */
export function processCpuSec(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

export function processRssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

/** Latency histogram with 10 µs bins (as the peers' load generator). */
export class Histogram {
  private readonly bins = new Uint32Array(3_000_000);
  count = 0;

  add(us: number): void {
    const i = Math.min(this.bins.length - 1, Math.max(0, (us / 10) | 0));
    this.bins[i]! += 1;
    this.count++;
  }

  /** The q-quantile in milliseconds. */
  quantileMs(q: number): number {
    if (this.count === 0) return Number.NaN;
    const want = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i]!;
      if (seen >= want) return Math.round((i + 0.5) * 10) / 1000;
    }
    return Number.NaN;
  }
}

export const nowUs = (): number => Math.round(performance.now() * 1000);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
