import { FRAME_PROTOCOL_VERSION, FrameCall, HostToFrame } from '@widget/contracts/frame';
import { ChatCore, SupportChatError } from '@widget/sdk/core';
import { render } from 'preact';
import { io } from 'socket.io-client';
import { App } from './App';
import { connectToHost } from './bridge';
import { setLocale } from './i18n';
import { applyTheme } from './theme';
import { UiState } from './ui-state';

async function main(): Promise<void> {
  const channel = await connectToHost();
  const { options } = channel;
  setLocale(options.locale ?? navigator.language);
  const ui = new UiState();
  if (options.launcher?.position) ui.update({ position: options.launcher.position });
  if (options.launcher?.hidden) ui.update({ launcherVisible: false });

  let tokenSeq = 0;
  const tokenWaiters = new Map<number, { resolve: (token: string) => void; reject: (error: Error) => void }>();
  const core = new ChatCore({
    apiBase: location.origin,
    workspaceId: options.workspaceId,
    widgetId: options.widgetId,
    locale: options.locale,
    requireConsent: options.privacy?.requireConsent && !options.privacy.consent,
    io,
    storage: () => window.localStorage,
    requestIdentityToken: () =>
      new Promise<string>((resolve, reject) => {
        const id = ++tokenSeq;
        tokenWaiters.set(id, { resolve, reject });
        channel.send({ v: FRAME_PROTOCOL_VERSION, type: 'tokenRequest', id });
      }),
  });

  core.onEvent((event) => channel.send({ v: FRAME_PROTOCOL_VERSION, type: 'event', event }));
  let lastState = '';
  core.subscribe(() => {
    if (core.state !== lastState) {
      lastState = core.state;
      channel.send({ v: FRAME_PROTOCOL_VERSION, type: 'state', state: core.state });
    }
  });
  let lastLayout = '';
  const sendLayout = () => {
    const layout = ui.layout();
    const key = JSON.stringify(layout);
    if (key === lastLayout) return;
    lastLayout = key;
    channel.send({ v: FRAME_PROTOCOL_VERSION, type: 'layout', layout });
  };
  let wasOpen = false;
  ui.subscribe(() => {
    sendLayout();
    if (ui.open !== wasOpen) {
      wasOpen = ui.open;
      // The visitor is here: live updates from now on (before, a socket opens only for a visitor with a conversation).
      if (ui.open) core.goLive();
      core.emit(ui.open ? 'open' : 'close', {});
    }
  });

  const handlers: { [M in FrameCall['method']]: (args: Extract<FrameCall, { method: M }>['args'], signal: AbortSignal) => unknown } = {
    boot: (args) => core.boot(args ?? {}),
    identify: (args) => core.identify(args ?? {}),
    update: (args) => core.update(args),
    shutdown: async (args) => {
      await core.shutdown(args);
      ui.update({ open: false, view: { name: 'home' } });
    },
    open: () => ui.update({ open: true, visible: true }),
    close: () => ui.update({ open: false }),
    show: () => {
      ui.update({ visible: true });
      core.emit('show', {});
    },
    hide: () => {
      ui.update({ visible: false });
      core.emit('hide', {});
    },
    showLauncher: () => {
      ui.update({ launcherVisible: true });
      core.emit('launcher:show', {});
    },
    hideLauncher: () => {
      ui.update({ launcherVisible: false });
      core.emit('launcher:hide', {});
    },
    startConversation: (args) => core.startConversation(args),
    listConversations: async (args) => (await core.refreshConversations(args.limit)).slice(0, args.limit ?? 50),
    showConversation: (args) => {
      ui.update({ open: true, visible: true, view: { name: 'thread', id: args.id } });
      core.emit('conversation:opened', { conversation: core.conversations.get(args.id) ?? { id: args.id } });
    },
    sendMessage: (args, signal) => core.sendMessage(args, { signal }),
    markConversationRead: (args) => core.markConversationRead(args.id),
    showNewMessage: (args) => ui.update({ open: true, visible: true, view: { name: 'new', prefill: args.prefill, metadata: args.metadata } }),
    searchArticles: (args) => core.searchArticles(args.query),
    showArticle: (args) => {
      ui.update({ open: true, visible: true, view: { name: 'article', id: args.id } });
    },
    showTicketForm: (args) => {
      ui.update({ open: true, visible: true, view: { name: 'form', id: args.formId } });
    },
    setContext: (args) => core.setContext(args.context),
    setConversationTags: (args) => core.setConversationTags(args.tags),
    setCustomFields: (args) => core.setCustomFields(args.fields),
    setTheme: (args) => applyTheme(core.config, args.theme),
    setLocale: (args) => {
      setLocale(args.locale);
      ui.update({});
    },
    setConsent: (args) => core.setConsent(args.granted),
  };

  /** Calls still running, by id: the page's `cancel` aborts one. */
  const running = new Map<number, AbortController>();
  channel.onMessage((message: HostToFrame) => {
    if (message.type === 'cancel') return void running.get(message.id)?.abort();
    if (message.type === 'token') {
      const waiter = tokenWaiters.get(message.id);
      tokenWaiters.delete(message.id);
      if (!waiter) return;
      if (message.token) waiter.resolve(message.token);
      else waiter.reject(new SupportChatError({ code: 'invalid_token', reason: 'token_provider_failed', message: message.error ?? 'tokenProvider failed', recoverable: false }));
      return;
    }
    const { id, call } = message;
    const handler = handlers[call.method] as (args: unknown, signal: AbortSignal) => unknown;
    const controller = new AbortController();
    running.set(id, controller);
    Promise.resolve()
      .then(() => handler(call.args ?? {}, controller.signal))
      .finally(() => running.delete(id))
      .then(
        (value) => channel.send({ v: FRAME_PROTOCOL_VERSION, type: 'result', id, ok: true, value: value === undefined ? undefined : JSON.parse(JSON.stringify(value)) }),
        (err: unknown) => channel.send({ v: FRAME_PROTOCOL_VERSION, type: 'result', id, ok: false, error: SupportChatError.from(err).toJSON() }),
      );
  });

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void core.resync().catch(() => undefined);
  });

  render(<App core={core} ui={ui} />, document.getElementById('app')!);
  try {
    const config = await core.loadConfig();
    applyTheme(config, options.theme);
    ui.update({
      position: options.launcher?.position ?? config.launcher.position,
      customLauncher: config.features.customLauncher,
      launcherVisible: !(options.launcher?.hidden ?? config.launcher.hidden),
    });
  } catch (err) {
    core.emit('error', SupportChatError.from(err).toJSON());
  }
  sendLayout();
}

void main();
