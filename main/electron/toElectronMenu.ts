/** The one place plain menu specs become Electron menus: commands become click handlers. */
import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuItemSpec, ShellCommand } from '../shell/commands.ts';

export function buildMenu(specs: MenuItemSpec[], run: (command: ShellCommand) => void): Menu {
  const convert = (spec: MenuItemSpec): MenuItemConstructorOptions => {
    const { command, submenu, role, ...rest } = spec;
    return {
      ...rest,
      ...(role ? { role: role as MenuItemConstructorOptions['role'] } : {}),
      ...(submenu ? { submenu: submenu.map(convert) } : {}),
      ...(command ? { click: () => run(command) } : {}),
    };
  };
  return Menu.buildFromTemplate(specs.map(convert));
}
