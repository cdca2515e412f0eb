/** Which links the app opens in the system browser: the API's `openLink` and the shell both check it. */

/** True for http(s) URLs without credentials in them. */
export function isWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
