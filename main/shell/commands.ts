/** What a menu or tray item does, as data: the Electron part maps each to one call. */
export type ShellCommand =
  | { type: 'hostServer' }
  | { type: 'stopHosting' }
  | { type: 'manageUsers' }
  | { type: 'connect' }
  | { type: 'logout' }
  | { type: 'back' }
  | { type: 'setAway'; message?: string }
  | { type: 'customAway' }
  /** A click on a message's notification. */
  | { type: 'openConversation'; conversation: string }
  | { type: 'show' }
  | { type: 'quit' };

/** A menu item as plain data (a subset of Electron's MenuItemConstructorOptions, plus `command`). */
export interface MenuItemSpec {
  label?: string;
  role?: string;
  type?: 'normal' | 'separator' | 'radio' | 'checkbox';
  enabled?: boolean;
  checked?: boolean;
  accelerator?: string;
  submenu?: MenuItemSpec[];
  command?: ShellCommand;
}
