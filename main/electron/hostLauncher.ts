/**
 * Hosting in an Electron utilityProcess: a crash of the server cannot take the window down. The
 * app's pid goes along so the server exits if the app dies without stopping it (parentWatch.ts).
 */
import { utilityProcess } from 'electron';
import type { HostLauncher, HostReply } from '../core/hostMessages.ts';

export function utilityLauncher(entry: string): HostLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [`--parent-pid=${process.pid}`], { serviceName: 'Parley server', stdio: 'inherit' });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => child.postMessage(message),
      onMessage: (listener) => void child.on('message', (m: unknown) => listener(m as HostReply)),
      onExit: (listener) => void child.on('exit', (code) => listener(code)),
      kill: () => void child.kill(),
    };
  };
}
