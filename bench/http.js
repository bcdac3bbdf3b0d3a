/**
 * POSTs through node:http with keep-alive for the bench modules. Not fetch:
 * undici's per-request cost runs on the same two cores as the stack and would
 * be charged to the path under measurement.
 */
const http = require('node:http');

/** `post(path, body, headers)` resolves with `{ status, text }`. */
function poster(baseUrl, maxSockets) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return (path, body, headers) =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode, text }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
}

module.exports = { poster };
