/** What each menu, tray or notification command does: one core call or one window request. */
import type { Core } from '../core/core.ts';
import type { ShellCommand } from './commands.ts';

export interface ShellActions {
  core: Core;
  /** Shows (creating if needed) and focuses the window. */
  showWindow(): void;
  quit(): void;
}

export function runCommand(command: ShellCommand, { core, showWindow, quit }: ShellActions): void {
  const toWindow = (type: 'showHostDialog' | 'showManageUsers' | 'showConnect' | 'showCustomAway'): void => {
    showWindow();
    core.emitUiCommand({ type });
  };
  switch (command.type) {
    case 'hostServer':
      return toWindow('showHostDialog');
    case 'stopHosting':
      return void core.stopHosting();
    case 'manageUsers':
      return toWindow('showManageUsers');
    case 'connect':
      return toWindow('showConnect');
    case 'logout':
      return void core.logout();
    case 'back':
      return void core.back();
    case 'setAway':
      return void core.setAway(command.message ? { message: command.message } : {});
    case 'customAway':
      return toWindow('showCustomAway');
    case 'openConversation':
      showWindow();
      return core.emitUiCommand({ type: 'openConversation', conversation: command.conversation });
    case 'show':
      return showWindow();
    case 'quit':
      return quit();
    default: {
      const never: never = command;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}
