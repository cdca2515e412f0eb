/**
 * Network namespaces joined by a veth pair, for tests that need several hosts on one machine
 * (mDNS between them stays inside the pair: nothing reaches the machine's real network).
 */
import { execFileSync } from 'node:child_process';

export interface NamespacePair {
  names: [string, string];
  addresses: [string, string];
  remove(): void;
}

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Why namespaces cannot be made here (not root, no `ip netns`), or null when they can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = `parley-probe-${process.pid}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return null;
  } catch (err) {
    return `ip netns is unavailable: ${(err as Error).message.split('\n')[0]}`;
  }
}

/** Two namespaces, `10.<n>.0.1/24` and `10.<n>.0.2/24` on the two ends of a veth pair. */
export function createNamespacePair(tag: string): NamespacePair {
  const n = 200 + (process.pid % 50);
  const names: [string, string] = [`parley-${tag}-a-${process.pid}`, `parley-${tag}-b-${process.pid}`];
  const addresses: [string, string] = [`10.${n}.0.1`, `10.${n}.0.2`];
  const veth = [`pv${process.pid % 100000}a`, `pv${process.pid % 100000}b`];
  const remove = (): void => {
    for (const ns of names) {
      try {
        ip('netns', 'del', ns); // takes its end of the veth pair with it
      } catch {
        // not made yet
      }
    }
  };
  try {
    for (const ns of names) ip('netns', 'add', ns);
    ip('link', 'add', veth[0]!, 'type', 'veth', 'peer', 'name', veth[1]!);
    names.forEach((ns, i) => {
      ip('link', 'set', veth[i]!, 'netns', ns);
      ip('-n', ns, 'addr', 'add', `${addresses[i]}/24`, 'dev', veth[i]!);
      ip('-n', ns, 'link', 'set', veth[i]!, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    });
  } catch (err) {
    remove();
    throw err;
  }
  return { names, addresses, remove };
}
