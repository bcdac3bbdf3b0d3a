import type { Attachment } from '@widget/contracts';
import {
  BlobUrlState,
  cachedBlobUrl,
  formatSize,
  isInlineImage,
  MAX_FILES_PER_MESSAGE,
  OperatorApi,
  QueuedFile,
  saveBlobUrl,
  SupportChatError,
  UploadQueue,
  watchBlobUrl,
} from '@widget/sdk/core';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

/** The server's refusal of a file, for the operator (the code stays visible: operators report it). */
function refusalText(err: unknown): string {
  if (!(err instanceof SupportChatError)) return 'The file could not be sent.';
  const why: Record<string, string> = {
    attachment_too_large: 'This file is too large.',
    unsupported_file_type: "This type of file can't be sent.",
    rate_limited: 'Too many files at once: try again shortly.',
    conversation_not_found: 'This conversation no longer exists.',
    network_error: 'The server could not be reached.',
  };
  return `${why[err.code] ?? err.message} (${err.code})`;
}

// ---- Reading: the bytes with the operator token, shown from a blob: URL ----

/** The bytes with the operator token; a link past its time (401 link_expired) is renewed once from the conversation's messages. */
function blobUrl(api: OperatorApi, conversationId: string, attachment: Attachment): Promise<string> {
  return cachedBlobUrl(attachment.id, () =>
    api.attachment(attachment).catch(async (err: unknown) => {
      if (!(err instanceof SupportChatError) || err.reason !== 'link_expired') throw err;
      const page = await api.listMessages(conversationId, { limit: 100 });
      const fresh = page.data.flatMap((m) => m.attachments ?? []).find((a) => a.id === attachment.id);
      if (!fresh) throw err;
      return api.attachment(fresh);
    }),
  );
}

export function MessageFiles({ api, conversationId, attachments }: { api: OperatorApi; conversationId: string; attachments: Attachment[] | undefined }) {
  if (!attachments?.length) return null;
  return (
    <ul class="files" aria-label="Files">
      {attachments.map((a) => (
        <li key={a.id}>{isInlineImage(a.contentType) ? <Thumbnail api={api} conversationId={conversationId} attachment={a} /> : <FileLink api={api} conversationId={conversationId} attachment={a} />}</li>
      ))}
    </ul>
  );
}

function Thumbnail({ api, conversationId, attachment }: { api: OperatorApi; conversationId: string; attachment: Attachment }) {
  const [state, setState] = useState<BlobUrlState>({});
  useEffect(() => watchBlobUrl(() => blobUrl(api, conversationId, attachment), setState), [attachment.id]);
  if (state.failed) return <FileLink api={api} conversationId={conversationId} attachment={attachment} />;
  if (!state.url) return <span class="thumb thumb-loading" role="img" aria-label={attachment.name} />;
  return (
    <a class="thumb" href={state.url} download={attachment.name} title={`Download ${attachment.name} (${formatSize(attachment.size)})`} data-testid="thumbnail">
      <img src={state.url} alt={attachment.name} />
    </a>
  );
}

function FileLink({ api, conversationId, attachment }: { api: OperatorApi; conversationId: string; attachment: Attachment }) {
  const [failed, setFailed] = useState(false);
  const open = () => {
    setFailed(false);
    blobUrl(api, conversationId, attachment).then(
      (url) => saveBlobUrl(url, attachment.name),
      () => setFailed(true),
    );
  };
  return (
    <>
      <button type="button" class="file-chip" onClick={open} title="Download" data-testid="file-chip">
        <span class="said file-name" dir="auto">
          {attachment.name}
        </span>{' '}
        <span class="file-size">{formatSize(attachment.size)}</span>
      </button>
      {failed && <span class="error"> The file could not be opened.</span>}
    </>
  );
}

// ---- Writing: files for a reply, uploaded as soon as they are chosen, dropped or pasted ----

export interface ReplyFiles {
  items: readonly QueuedFile[];
  refusals: readonly string[];
  add(files: File[]): void;
  remove(key: number): void;
  /** Waits for every upload; what the server took, in order. */
  ready(): Promise<Attachment[]>;
  clear(): void;
}

/** The reply's files, uploaded as soon as they are chosen; another conversation starts empty (its uploads are cancelled). */
export function useReplyFiles(api: OperatorApi, conversationId: string | null): ReplyFiles {
  const [refusals, setRefusals] = useState<string[]>([]);
  const [, rerender] = useState(0);
  const queue = useMemo(
    () => new UploadQueue({ onChange: () => rerender((n) => n + 1), onRefused: (file, err) => setRefusals((r) => [...r, `${file.name}: ${refusalText(err)}`]) }),
    [],
  );
  const clear = () => {
    queue.clear();
    setRefusals([]);
  };
  useEffect(() => clear, [conversationId]);
  const upload = (file: File, options: { signal: AbortSignal; onProgress: (loaded: number) => void }) => api.upload(conversationId!, file, options);
  return {
    items: queue.items,
    refusals,
    add(files) {
      if (!conversationId) return;
      const left = queue.add(files, upload);
      setRefusals(left ? [`At most ${MAX_FILES_PER_MESSAGE} files in one message.`] : []);
    },
    remove: (key) => queue.remove(key),
    ready: () => queue.finish(upload),
    clear,
  };
}

export function ReplyFilesView({ files }: { files: ReplyFiles }) {
  return (
    <>
      {files.items.length > 0 && (
        <ul class="uploads" aria-label="Files for the reply">
          {files.items.map((u) => (
            <li key={u.key} class="upload" data-testid="upload" data-status={u.status}>
              <span class="said file-name" dir="auto">
                {u.file.name}
              </span>
              <progress max={u.file.size || 1} value={u.loaded} aria-label={`${u.status === 'done' ? 'Uploaded' : 'Uploading'} ${u.file.name}`} />
              <button type="button" class="link upload-remove" aria-label={`Remove ${u.file.name}`} onClick={() => files.remove(u.key)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {files.refusals.length > 0 && (
        <div class="error" role="alert" data-testid="upload-refusals">
          {files.refusals.map((r, i) => (
            <p key={i}>{r}</p>
          ))}
        </div>
      )}
    </>
  );
}

export function AttachButton({ onFiles }: { onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" class="attach" onClick={() => input.current?.click()}>
        Attach files
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="file-input"
        onChange={(e) => {
          const el = e.currentTarget as HTMLInputElement;
          onFiles(Array.from(el.files ?? []));
          el.value = '';
        }}
      />
    </>
  );
}
