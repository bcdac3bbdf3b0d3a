/**
 * A TCP proxy in front of one dependency (PostgreSQL, NATS) for `npm run faults`. Modes:
 *   pass  — every connection piped to the real port;
 *   cut   — every open connection destroyed (both sides), new ones reset as soon as they arrive
 *           (the listener stays up, so no other process can take its port meanwhile);
 *   stall — connections kept and accepted, nothing forwarded either way and nothing said (a silent
 *           partition): open pairs stop reading, new ones are held unconnected; back to pass, the bytes
 *           held flow on as TCP's retransmissions would deliver them, and held connections are connected.
 */
const net = require('node:net');

class FaultProxy {
  /** `target()` → { host, port } of the real server, asked at each new upstream connection. */
  constructor(name, target) {
    this.name = name;
    this.target = target;
    this.mode = 'pass';
    /** Open pairs: { client, upstream|null }. */
    this.pairs = new Set();
    this.server = net.createServer((client) => this.accept(client));
    this.port = 0;
  }

  listen() {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.port = this.server.address().port;
        resolve(this.port);
      });
    });
  }

  accept(client) {
    client.setNoDelay(true);
    if (this.mode === 'cut') {
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    const pair = { client, upstream: null };
    this.pairs.add(pair);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    pair.close = close;
    client.on('error', close);
    client.on('close', close);
    client.pause();
    if (this.mode === 'pass') this.connect(pair);
  }

  connect(pair) {
    const { host, port } = this.target();
    const upstream = net.connect({ host, port });
    upstream.setNoDelay(true);
    pair.upstream = upstream;
    upstream.on('error', pair.close);
    upstream.on('close', pair.close);
    upstream.once('connect', () => {
      if (this.mode === 'stall') return; // connected just as the stall began: piped at heal
      this.pipe(pair);
    });
  }

  pipe(pair) {
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
  }

  set(mode) {
    const was = this.mode;
    this.mode = mode;
    if (mode === 'cut') {
      for (const pair of [...this.pairs]) pair.close();
    } else if (mode === 'stall') {
      for (const pair of this.pairs) {
        pair.client.unpipe();
        pair.client.pause();
        if (pair.upstream) {
          pair.upstream.unpipe();
          pair.upstream.pause();
        }
      }
    } else if (mode === 'pass' && was === 'stall') {
      for (const pair of this.pairs) {
        if (!pair.upstream) this.connect(pair);
        else if (!pair.upstream.connecting) this.pipe(pair);
      }
    }
  }

  close() {
    for (const pair of [...this.pairs]) pair.close();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

module.exports = { FaultProxy };
