// Compiled with `tsc --noEmit` only: checks that index.d.ts describes the SDK the way an app uses it.
import { createClient, WxLoginError, User, LoggedOutReason, StorageAdapter, RequestAdapter, LoginAdapter } from '../..';

declare const storage: StorageAdapter;
declare const request: RequestAdapter;
declare const login: LoginAdapter;

const client = createClient({ baseURL: 'https://login.example.com', appId: 'wx123', storage, request, login, refreshLeewaySeconds: 120 });

async function app(): Promise<void> {
  const first = await client.login();
  const id: number = first.user.id;
  const isNew: boolean = first.newUser;
  const me: User = await client.user();
  const nick: string = (await client.updateProfile({ nickname: '小明' })).nickname;
  const phone: string | null = (await client.bindPhone({ detail: { code: 'c', errMsg: 'getPhoneNumber:ok' } })).phone;
  const sessions = await client.request<{ sessions: Array<{ id: string; current: boolean }> }>({ path: '/api/v1/users/me/sessions' });
  const current: boolean = sessions.sessions[0].current;
  const token: string = await client.accessToken();
  const off = client.on('loggedOut', (e) => {
    const reason: LoggedOutReason = e.reason;
    const code: string | undefined = e.error && e.error.code;
    void reason, code;
  });
  client.on('login', (e) => {
    const silent: boolean = e.silent;
    void silent;
  });
  off();
  try {
    await client.loginWithPassword({ username: 'alice', password: 'correct horse battery' });
    await client.deleteAccount({ password: 'correct horse battery' });
    await client.deleteAccount();
  } catch (e) {
    if (e instanceof WxLoginError) {
      const status: number = e.status;
      const wechat: number | null = e.wechatErrcode;
      const retry: number | null = e.retryAfter;
      const net: boolean = e.isNetworkError;
      void status, wechat, retry, net;
    }
  }
  const confirmed: boolean = await client.logout();
  await client.logoutAll();
  void id, isNew, me, nick, phone, current, token, confirmed;
}
void app;

// Misuse the declarations must reject.
// @ts-expect-error baseURL is required
createClient({});
// @ts-expect-error unknown event
client.on('refreshed', () => undefined);
// @ts-expect-error profile fields are strings
client.updateProfile({ nickname: 42 });
