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

/** The soft limit on open files of a process (`ulimit -n`), from /proc. */
export function openFilesLimit(pid: number | 'self'): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return !m || m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1]);
}

/** Busy and total jiffies of the whole machine (all cores), to show how loaded it was. */
export function machineJiffies(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - (cpu[3] ?? 0) - (cpu[4] ?? 0), total };
}

/** CPU seconds this process has used. */
export function selfCpuSec(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
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
