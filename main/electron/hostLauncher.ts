/** Hosting in an Electron utilityProcess: a crash of the server cannot take the window down. */
import { utilityProcess } from 'electron';
import type { HostLauncher, HostReply } from '../core/hostMessages.ts';

export function utilityLauncher(entry: string): HostLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'Parley server', stdio: 'inherit' });
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
