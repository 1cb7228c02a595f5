// Types for wxlogin-miniprogram (index.js). The wire shapes are those of wxlogin's API.md.

/** The three storage calls the SDK uses: `wx`, `Taro` and `uni` all have them. */
export interface StorageAdapter {
  getStorageSync(key: string): any;
  setStorageSync(key: string, value: any): void;
  removeStorageSync(key: string): void;
}

export interface AdapterRequestOptions {
  url: string;
  method: string;
  header: Record<string, string>;
  data?: any;
  dataType?: 'json';
  timeout?: number;
  success(res: { statusCode: number; data: any; header?: Record<string, string> }): void;
  fail(err: { errMsg?: string }): void;
}
/** Shaped like `wx.request` (callbacks; a returned value is ignored). */
export type RequestAdapter = (options: AdapterRequestOptions) => unknown;

export interface AdapterLoginOptions {
  timeout?: number;
  success(res: { code: string; errMsg?: string }): void;
  fail(err: { errMsg?: string }): void;
}
/** Shaped like `wx.login`. */
export type LoginAdapter = (options: AdapterLoginOptions) => unknown;

export interface ClientOptions {
  /** Server root, e.g. `https://login.example.com` (paths below start with `/api/v1`). */
  baseURL: string;
  /** Sent as `app_id` where the server takes one (multi-app servers). */
  appId?: string;
  /** Defaults to the `wx` global. */
  storage?: StorageAdapter;
  /** Defaults to `wx.request`. */
  request?: RequestAdapter;
  /** Defaults to `wx.login`. */
  login?: LoginAdapter;
  /** Refresh this long before the access token ends (default 60, never more than half its lifetime). */
  refreshLeewaySeconds?: number;
  /** Milliseconds, passed to every request and wx.login (default: the platform's). */
  timeout?: number;
}

export interface User {
  id: number;
  username: string | null;
  email: string | null;
  nickname: string;
  avatar_url: string;
  phone: string | null;
  role: string;
  wechat: { app_id: string; openid: string; unionid: string | null } | null;
  created_at: string;
}

export interface LoginResult {
  user: User;
  newUser: boolean;
}

export interface RequestOptions {
  /** Relative to baseURL, e.g. `/api/v1/users/me/sessions`. */
  path?: string;
  /** An absolute URL (the access token is attached to it too, unless `auth: false`). */
  url?: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  data?: unknown;
  header?: Record<string, string>;
  /** false: no Bearer token, no refresh. Default true. */
  auth?: boolean;
  timeout?: number;
}

/** The `getPhoneNumber` button's event, its `detail`, or the code itself. */
export type PhoneNumberEvent =
  | string
  | { code?: string; encryptedData?: string; iv?: string; errMsg?: string }
  | { detail: { code?: string; encryptedData?: string; iv?: string; errMsg?: string } };

export type LoggedOutReason =
  | 'logout'
  | 'logout_all'
  | 'account_deleted'
  | 'token_revoked'
  | 'account_disabled'
  | 'refresh_token_invalid'
  | 'refresh_token_expired'
  | 'refresh_token_reused';

export interface LoggedOutEvent {
  reason: LoggedOutReason;
  /** The answer that ended the session, when there was one. */
  error?: WxLoginError;
}

export interface LoginEvent {
  user: User;
  newUser: boolean;
  method: 'wechat' | 'password';
  /** true for the SDK's own re-login after refresh_token_expired / refresh_token_reused. */
  silent: boolean;
}

export interface WxLoginClient {
  /** wx.login() -> POST /api/v1/auth/wechat/login. */
  login(): Promise<LoginResult>;
  register(fields: { username: string; password: string; email?: string | null }): Promise<LoginResult>;
  loginWithPassword(fields: { username: string; password: string }): Promise<LoginResult>;
  /** Bearer attached (unless auth: false); the parsed body, or undefined for 204. */
  request<T = unknown>(options: RequestOptions): Promise<T>;
  /** A valid access token (refreshed if needed), for wx.uploadFile, sockets, your own services. */
  accessToken(): Promise<string>;
  user(): Promise<User>;
  updateProfile(fields: { nickname?: string | null; avatar_url?: string | null }): Promise<User>;
  bindPhone(event: PhoneNumberEvent): Promise<User>;
  /** Links the WeChat identity of a fresh wx.login() code to the current (password) account. */
  bindWechat(): Promise<User>;
  /** Always ends the local session; true when the server confirmed the revocation. */
  logout(): Promise<boolean>;
  /** Ends every session of the user; throws (and keeps this one) when the server did not confirm. */
  logoutAll(): Promise<void>;
  /** DELETE /api/v1/users/me with the password, or else a fresh wx.login() code. */
  deleteAccount(proof?: { password: string }): Promise<void>;
  isLoggedIn(): boolean;
  on(event: 'loggedOut', listener: (e: LoggedOutEvent) => void): () => void;
  on(event: 'login', listener: (e: LoginEvent) => void): () => void;
}

export class WxLoginError extends Error {
  readonly name: 'WxLoginError';
  /** HTTP status; 0 when there was no HTTP answer or the SDK did not ask. */
  readonly status: number;
  /** The server's error code, or network_error, not_logged_in, wx_login_failed, phone_not_granted, http_error. */
  readonly code: string;
  readonly wechatErrcode: number | null;
  readonly requestId: string | null;
  /** Seconds, from Retry-After (429, 502, 503). */
  readonly retryAfter: number | null;
  readonly details: Array<{ field: string; reason: string }> | null;
  readonly isNetworkError: boolean;
}

export function createClient(options: ClientOptions): WxLoginClient;
