import {
  FRAME_PROTOCOL,
  FRAME_PROTOCOL_VERSION,
  frameConnectSchema,
  FrameOptions,
  FrameToHost,
  HostToFrame,
  hostToFrameSchema,
  parseFrameMessage,
} from '@widget/contracts/frame';

export interface Channel {
  options: FrameOptions;
  send(message: FrameToHost): void;
  onMessage(handler: (message: HostToFrame) => void): void;
}

/**
 * The frame's end of the page channel: says hello to the parent (only to the
 * origin the SDK put in the fragment), accepts one `connect` from that origin
 * carrying a private port, then parses every message on the port against the
 * schema. Resolves with the channel, or never (not embedded by our SDK).
 */
export function connectToHost(): Promise<Channel> {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const hostOrigin = fragment.get('origin');
  const nonce = fragment.get('nonce');
  // The fragment has served its purpose; keep it out of history and any later copy of the URL.
  history.replaceState(null, '', location.pathname + location.search);
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (!hostOrigin || !nonce || window.parent === window) return new Promise(() => undefined);
  if (ancestors && ancestors.length > 0 && ancestors[0] !== hostOrigin) return new Promise(() => undefined);

  return new Promise((resolve) => {
    const onConnect = (event: MessageEvent) => {
      if (event.source !== window.parent || event.origin !== hostOrigin) return;
      const connect = parseFrameMessage(frameConnectSchema, event.data);
      const port = event.ports[0];
      if (!connect || connect.nonce !== nonce || !port) return;
      window.removeEventListener('message', onConnect);
      let handler: (message: HostToFrame) => void = () => undefined;
      port.onmessage = (message) => {
        const parsed = parseFrameMessage(hostToFrameSchema, message.data);
        if (parsed) handler(parsed);
      };
      resolve({
        options: connect.options,
        send: (message) => port.postMessage(message),
        onMessage: (h) => (handler = h),
      });
    };
    window.addEventListener('message', onConnect);
    window.parent.postMessage({ protocol: FRAME_PROTOCOL, v: FRAME_PROTOCOL_VERSION, type: 'hello', nonce }, hostOrigin);
  });
}
