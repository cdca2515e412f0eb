/** The application menu as a pure function of core state. */
import type { CoreState } from '../core/api.ts';
import type { MenuItemSpec } from './commands.ts';

export function appMenuTemplate(state: CoreState, platform: NodeJS.Platform): MenuItemSpec[] {
  const hosting = state.hosting.status;
  const connected = state.connection.status === 'online' || state.connection.status === 'reconnecting';
  const server: MenuItemSpec = {
    label: 'Server',
    submenu: [
      { label: 'Host Server...', enabled: hosting === 'stopped' || hosting === 'failed', command: { type: 'hostServer' } },
      { label: 'Stop Hosting', enabled: hosting === 'running', command: { type: 'stopHosting' } },
      { label: 'Manage Users...', enabled: hosting === 'running', command: { type: 'manageUsers' } },
      { type: 'separator' },
      { label: 'Connect to Server...', command: { type: 'connect' } },
      { label: 'Log Out', enabled: connected, command: { type: 'logout' } },
    ],
  };
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' }] : [{ label: 'File', submenu: [{ label: 'Quit', accelerator: 'CmdOrCtrl+Q', command: { type: 'quit' } } as MenuItemSpec] }]),
    { role: 'editMenu' },
    server,
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
}
