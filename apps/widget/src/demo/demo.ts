/// <reference lib="dom" />
/**
 * The demo page's own script: log in / log out buttons and an event log.
 * It talks to the widget only through window.supportChat (the SDK), as a
 * customer's page would.
 */
import type { ChatEvent, SupportChatInstance } from '@widget/sdk';

declare global {
  interface Window {
    supportChat?: SupportChatInstance;
    SupportChatSettings?: { workspaceId: string; widgetId?: string; apiBase?: string };
    demoEvents?: ChatEvent[];
  }
}

const $ = (id: string) => document.getElementById(id)!;
const events: ChatEvent[] = (window.demoEvents = []);

/** This browser's demo user (the token endpoint mints it on the first log in), kept in the page's own storage. */
const DEMO_USER_KEY = 'demo-page:demo-user-id';

async function identityToken(): Promise<string> {
  const demoUserId = localStorage.getItem(DEMO_USER_KEY);
  const res = await fetch('/demo/identity-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(demoUserId ? { demoUserId } : {}),
  });
  if (!res.ok) throw new Error(`the demo token endpoint answered ${res.status}`);
  const body = (await res.json()) as { token: string; demoUserId: string };
  localStorage.setItem(DEMO_USER_KEY, body.demoUserId);
  return body.token;
}

function whenChat(): Promise<SupportChatInstance> {
  return new Promise((resolve) => {
    const check = () => (window.supportChat ? resolve(window.supportChat) : setTimeout(check, 50));
    check();
  });
}

function showSnippet(): void {
  const s = window.SupportChatSettings;
  const apiBase = s?.apiBase ?? location.origin;
  $('snippet').textContent = [
    '<script>',
    '  window.SupportChat = window.SupportChat || function () { (SupportChat.q = SupportChat.q || []).push(arguments) };',
    `  window.SupportChatSettings = { workspaceId: '${s?.workspaceId ?? 'ws_…'}', widgetId: '${s?.widgetId ?? 'wgt_…'}', apiBase: '${apiBase}' };`,
    '</script>',
    `<script async src="${apiBase}/widget/v1/widget.js"></script>`,
  ].join('\n');
}

async function main(): Promise<void> {
  showSnippet();
  const chat = await whenChat();
  chat.on('*', (event) => {
    events.push(event);
    const item = document.createElement('li');
    item.textContent = `${event.type} ${JSON.stringify(event.payload).slice(0, 120)}`;
    const list = $('events');
    list.prepend(item);
    while (list.children.length > 12) list.lastElementChild?.remove();
    if (event.type === 'auth:changed' || event.type === 'ready') {
      const type = (event.payload as { identityType?: string | null }).identityType;
      $('who').textContent = `Visitor: ${type === 'identified' ? 'demo user (identified)' : type ? 'anonymous' : 'logged out'}`;
    }
  });
  $('login').addEventListener('click', () => {
    void chat.identify({ tokenProvider: identityToken }).catch((err: Error) => ($('who').textContent = `Log in failed: ${err.message}`));
  });
  $('logout').addEventListener('click', () => {
    void chat
      .shutdown({ clearStorage: true })
      .then(() => chat.boot())
      .catch((err: Error) => ($('who').textContent = `Log out failed: ${err.message}`));
  });
}

void main();
