import { request as httpRequest } from 'node:http';
import { ApiResponse, RequestOptions } from './http';
import { recordSensitive } from './log-audit';

export interface TestFile {
  name: string;
  bytes: Buffer;
  /** What the client claims (the server never believes it). */
  type?: string;
}

/** A 1×1 PNG, the smallest real image. */
export const TINY_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1e1a3b30000000049454e44ae426082',
  'hex',
);
/** A minimal well-formed PDF. */
export const TINY_PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/** POSTs one file as multipart/form-data (part `file`), as a browser's FormData does. */
export async function uploadFile(url: string, file: TestFile, options: RequestOptions & { field?: string } = {}): Promise<ApiResponse> {
  const form = new FormData();
  form.append(options.field ?? 'file', new Blob([file.bytes], { type: file.type ?? 'application/octet-stream' }), file.name);
  const headers: Record<string, string> = { ...options.headers };
  if (options.origin) headers.origin = options.origin;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  recordSensitive(options.token);
  const res = await fetch(url, { method: 'POST', headers, body: form });
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/**
 * Streams a multipart upload of `totalBytes` slowly (a chunk every `intervalMs`) and resolves with
 * the status and body the server answered, and how many bytes had been written by then: an upload
 * over the limit must be answered while the client is still sending.
 */
export function slowUpload(
  url: string,
  options: { token: string; origin: string; totalBytes: number; chunkBytes?: number; intervalMs?: number; head?: Buffer; name?: string },
): Promise<{ status: number; body: any; writtenWhenAnswered: number }> {
  const boundary = `----slow${Date.now()}`;
  const preamble = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${options.name ?? 'big.png'}"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const closing = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = preamble.length + options.totalBytes + closing.length;
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = httpRequest(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, origin: options.origin, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(length) },
    });
    req.on('response', (res) => {
      answered = true;
      const at = written;
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, writtenWhenAnswered: at }));
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.write(preamble);
    const chunk = options.chunkBytes ?? 256 * 1024;
    const head = options.head ?? Buffer.alloc(0);
    const send = () => {
      if (answered || req.destroyed) return;
      if (written >= options.totalBytes) {
        req.end(closing);
        return;
      }
      const size = Math.min(chunk, options.totalBytes - written);
      const piece = Buffer.alloc(size, 0x41);
      if (written === 0) head.copy(piece);
      written += size;
      // Backpressure: `written` counts what the connection took, not what waits in this process's memory.
      if (req.write(piece)) setTimeout(send, options.intervalMs ?? 20);
      else req.once('drain', () => setTimeout(send, options.intervalMs ?? 20));
    };
    send();
  });
}
