/**
 * The standalone page's sign-in: the admin token lives in sessionStorage (this tab only,
 * gone when it closes). The demo hands it over in the URL fragment, which browsers never
 * send to the server, so it cannot reach a request log; it is moved out of the address
 * bar (and history) at once.
 */
const KEY = 'secret-managers.token';

export function takeTokenFromFragment(): void {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) return;
  sessionStorage.setItem(KEY, token);
  history.replaceState(history.state, '', location.pathname + location.search);
}

export function savedToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
