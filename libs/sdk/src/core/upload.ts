import { SupportChatError } from '../errors';
import { errorFromResponse } from './http';

export interface UploadRequest {
  /** The absolute URL to POST to. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token: string;
  file: Blob;
  /** The file name the part carries (a File's own name by default). */
  name: string;
  signal?: AbortSignal;
  /** Bytes sent so far; the last call has loaded === total. */
  onProgress?: (loaded: number, total: number) => void;
  /** Tests pass a stand-in; the browser's XMLHttpRequest otherwise. */
  xhr?: () => XMLHttpRequest;
}

export const cancelled = (): SupportChatError => new SupportChatError({ code: 'cancelled', message: 'The upload was cancelled.', recoverable: false });

/**
 * One file as `multipart/form-data` with a single part named `file`, over
 * XMLHttpRequest: fetch cannot report how much of a request body was sent.
 * Resolves with the JSON reply; rejects with the server's envelope as a
 * SupportChatError, `network_error`, or `cancelled` when the signal aborts.
 * Never retried here: a refused file is refused again, and the caller
 * decides whether a network failure is worth another 10 MB.
 */
export function uploadFile<T>(request: UploadRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { signal, file } = request;
    if (signal?.aborted) return reject(cancelled());
    const xhr = request.xhr ? request.xhr() : new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    const settle = (outcome: () => void) => {
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    xhr.open('POST', request.url);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('authorization', `Bearer ${request.token}`);
    xhr.upload.onprogress = (event) => request.onProgress?.(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () =>
      settle(() => {
        if (xhr.status < 200 || xhr.status >= 300) return reject(errorFromResponse({ status: xhr.status, header: (name) => xhr.getResponseHeader(name) }, xhr.responseText));
        request.onProgress?.(file.size, file.size);
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          reject(new SupportChatError({ code: 'internal_error', message: 'The server answered the upload with something unreadable.', recoverable: true }));
        }
      });
    xhr.onerror = () => settle(() => reject(new SupportChatError({ code: 'network_error', message: 'The file could not be sent.', recoverable: true })));
    xhr.onabort = () => settle(() => reject(cancelled()));
    signal?.addEventListener('abort', onAbort, { once: true });
    const form = new FormData();
    form.append('file', file, request.name);
    xhr.send(form);
  });
}
