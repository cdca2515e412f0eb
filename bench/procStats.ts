/** Server CPU time and memory from /proc, so figures count the server's own work only. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

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

/**
 * CPU seconds of a process and of its children, live or already reaped (utime + stime +
 * cutime + cstime of `pid`, plus utime + stime of each live child): PostgreSQL's postmaster and
 * its backends as one figure.
 */
export function processTreeCpuSec(pid: number): number {
  const fieldsOf = (p: number | string): string[] => {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  };
  const own = fieldsOf(pid);
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = fieldsOf(entry);
      if (Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // Exited between the listing and the read: its time is in the parent's cutime now.
    }
  }
  return ticks / CLK_TCK;
}

/** The pid of a running `name` (the executable's base name) started with `-p <port>`, or undefined. */
export function findPidByPort(name: string, port: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile
    }
    const at = argv.indexOf('-p');
    if (argv[0]?.split('/').pop() === name && at !== -1 && argv[at + 1] === String(port)) return Number(entry);
  }
  return undefined;
}

/** Write-family system calls a process has made (`syscw` of /proc/PID/io): socket writes, SQLite's too. */
export function processWriteCalls(pid: number): number {
  const m = /^syscw:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
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
