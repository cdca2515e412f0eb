/** The tray: its menu and its icon, as pure functions of core state and settings. */
import type { CoreState, Settings } from '../core/api.ts';
import type { MenuItemSpec } from './commands.ts';
import { DEFAULT_AWAY } from '../../server/protocol/common/limits.ts';

export type TrayStatus = 'available' | 'away' | 'offline';

export function trayStatus(state: CoreState): TrayStatus {
  const c = state.connection.status;
  if (c !== 'online' && c !== 'reconnecting') return 'offline';
  return state.away.away ? 'away' : 'available';
}

/** Icon files in resources/ for the state: 1x and 2x, with a dot when there is something unread. */
export function trayIconFor(state: CoreState): { file: string; file2x: string; tooltip: string } {
  const status = trayStatus(state);
  const base = `tray-${status}${state.unread > 0 ? '-unread' : ''}`;
  const words = status === 'away' ? `Away${state.away.message ? `: ${state.away.message}` : ''}` : status === 'available' ? 'Available' : 'Offline';
  const mentions = state.mentions > 0 ? `, ${state.mentions} mentioning you` : '';
  const unread = state.unread > 0 ? ` - ${state.unread} unread${mentions}` : '';
  return { file: `${base}.png`, file2x: `${base}@2x.png`, tooltip: `Parley - ${words}${unread}` };
}

/**
 * The dock/taskbar badge: unread messages, or while notifications are muted only those that
 * mention the user; a muted conversation counts only its mentions.
 */
export function badgeCount(state: CoreState, settings: Pick<Settings, 'muted' | 'mutedConversations'>): number {
  if (settings.muted) return state.mentions;
  let quiet = 0;
  for (const key of settings.mutedConversations) quiet += (state.unreadByConversation[key] ?? 0) - (state.mentionsByConversation[key] ?? 0);
  return state.unread - Math.max(0, quiet);
}

export function trayTemplate(state: CoreState, settings: Pick<Settings, 'awayPresets'>): MenuItemSpec[] {
  const status = trayStatus(state);
  const online = status !== 'offline';
  const away = state.away;
  const hosting = state.hosting;
  const hostingLine =
    hosting.status === 'running' ? `Hosting on port ${hosting.port}` : hosting.status === 'failed' ? 'Hosting failed' : hosting.status === 'starting' ? 'Starting server...' : 'Not hosting';
  return [
    { label: online ? `Signed in as ${state.connection.status !== 'offline' && 'user' in state.connection ? state.connection.user : ''}` : 'Offline', enabled: false },
    { type: 'separator' },
    { label: 'Available', type: 'radio', checked: online && !away.away, enabled: online, command: { type: 'back' } },
    { label: 'Away', type: 'radio', checked: online && away.away && (away.message ?? DEFAULT_AWAY) === DEFAULT_AWAY, enabled: online, command: { type: 'setAway' } },
    ...settings.awayPresets.map(
      (p): MenuItemSpec => ({ label: p, type: 'radio', checked: online && away.away && away.message === p, enabled: online, command: { type: 'setAway', message: p } }),
    ),
    { label: 'Custom message...', enabled: online, command: { type: 'customAway' } },
    { type: 'separator' },
    { label: hostingLine, enabled: false },
    { label: 'Show Parley', command: { type: 'show' } },
    { label: 'Quit', command: { type: 'quit' } },
  ];
}
