import type { IncomingMessage } from 'node:http';
import { isPlainRealtimeUpgrade } from './upgrade';

const req = (url: string) => ({ url }) as IncomingMessage;

describe('isPlainRealtimeUpgrade', () => {
  it('claims the realtime path without socket.io’s EIO query', () => {
    expect(isPlainRealtimeUpgrade(req('/widget/v1/realtime?session_token=wst_x'))).toBe(true);
    expect(isPlainRealtimeUpgrade(req('/widget/v1/realtime/?session_token=wst_x&last_message_id=msg_1'))).toBe(true);
    expect(isPlainRealtimeUpgrade(req('/widget/v1/realtime'))).toBe(true);
  });

  it('leaves socket.io upgrades and other paths alone', () => {
    expect(isPlainRealtimeUpgrade(req('/widget/v1/realtime/?EIO=4&transport=websocket'))).toBe(false);
    expect(isPlainRealtimeUpgrade(req('/widget/v1/realtimex?session_token=x'))).toBe(false);
    expect(isPlainRealtimeUpgrade(req('/widget/v1/conversations'))).toBe(false);
  });
});
