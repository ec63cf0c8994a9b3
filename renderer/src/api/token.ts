/**
 * Serve mode's access token: printed by the server as http://HOST:PORT/?token=T. Read it once from
 * the address, keep it for the tab in sessionStorage, and take it out of the address bar so it does
 * not end up in history, bookmarks or screenshots.
 */

const TOKEN_STORAGE_KEY = 'alignahead.token';

export function takeTokenFromLocation(location: Location, history: History, storage: Storage): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + (url.search === '?' ? '' : url.search) + url.hash);
    return fromUrl;
  }
  return storage.getItem(TOKEN_STORAGE_KEY);
}
