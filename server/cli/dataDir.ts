/** Where the server keeps its database when `--data` is not given: the user's data directory. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(): string {
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Parley', 'server');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Parley', 'server');
  return join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'parley', 'server');
}
