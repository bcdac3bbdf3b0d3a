import type { Attachment, ChatCore, LoggedMessage, QueuedFile } from '@widget/sdk/core';
import { BlobUrlState, cachedBlobUrl, formatSize, isInlineImage, MAX_FILES_PER_MESSAGE, saveBlobUrl, SupportChatError, UploadQueue, watchBlobUrl } from '@widget/sdk/core';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { isolated, t } from './i18n';

/** The server's refusal of a file, in the visitor's words. */
export function refusalText(error: SupportChatError): string {
  switch (error.code) {
    case 'attachment_too_large': {
      // The limit is the server's setting; its message states it in bytes.
      const limit = /(\d+) bytes/.exec(error.message)?.[1];
      return limit ? t('fileTooLargeLimit', { limit: formatSize(Number(limit)) }) : t('fileTooLarge');
    }
    case 'unsupported_file_type':
      return t('fileTypeRefused');
    case 'widget_disabled':
      return t('filesDisabled');
    case 'rate_limited':
      return t('fileRateLimited', { seconds: error.retryAfter ?? 30 });
    case 'conversation_not_found':
      return t('fileConversationGone');
    case 'network_error':
      return t('fileNetwork');
    default:
      return t('fileFailed');
  }
}

// ---- Reading: an attachment's bytes through the session (its url needs the token), shown from a blob: URL ----

const blobUrl = (core: ChatCore, conversationId: string, attachment: Attachment) => cachedBlobUrl(attachment.id, () => core.attachmentBlob(conversationId, attachment));

function useBlobUrl(core: ChatCore, conversationId: string, attachment: Attachment): BlobUrlState {
  const [state, setState] = useState<BlobUrlState>({});
  useEffect(() => watchBlobUrl(() => blobUrl(core, conversationId, attachment), setState), [attachment.id]);
  return state;
}

export function MessageAttachments({ core, message }: { core: ChatCore; message: LoggedMessage }) {
  const list = message.attachments ?? [];
  if (list.length === 0) return null;
  return (
    <ul class="attachments" aria-label={t('attachmentsLabel')} data-testid="attachments">
      {list.map((a) => (
        <li key={a.id}>
          {!a.url ? <FileChip attachment={a} /> : isInlineImage(a.contentType) ? <Thumbnail core={core} conversationId={message.conversationId} attachment={a} /> : <FileChip core={core} conversationId={message.conversationId} attachment={a} />}
        </li>
      ))}
    </ul>
  );
}

function Thumbnail({ core, conversationId, attachment }: { core: ChatCore; conversationId: string; attachment: Attachment }) {
  const { url, failed } = useBlobUrl(core, conversationId, attachment);
  if (failed) return <FileChip core={core} conversationId={conversationId} attachment={attachment} />;
  if (!url) return <span class="thumb thumb-loading" role="img" aria-label={attachment.name} data-testid="thumbnail-loading" />;
  return (
    <a class="thumb" href={url} download={attachment.name} title={t('downloadFile', { name: attachment.name, size: formatSize(attachment.size) })} data-testid="thumbnail">
      <img src={url} alt={attachment.name} />
    </a>
  );
}

/** A file by name and size; with a core, a click downloads it under its own name (a pending one is not on the server yet). */
function FileChip({ core, conversationId, attachment }: { core?: ChatCore; conversationId?: string; attachment: Attachment }) {
  const [error, setError] = useState(false);
  const body = (
    <>
      <FileIcon />
      <span class="file-name" dir="auto">
        {attachment.name}
      </span>
      <span class="file-size">{formatSize(attachment.size)}</span>
    </>
  );
  if (!core || !conversationId) return <span class="file-chip">{body}</span>;
  const download = () => {
    setError(false);
    blobUrl(core, conversationId, attachment).then(
      (url) => saveBlobUrl(url, attachment.name),
      () => setError(true),
    );
  };
  return (
    <>
      <button type="button" class="file-chip" onClick={download} aria-label={t('downloadFile', { name: attachment.name, size: formatSize(attachment.size) })} data-testid="file-chip">
        {body}
      </button>
      {error && (
        <span class="error" role="alert">
          {t('fileOpenFailed')}
        </span>
      )}
    </>
  );
}

function FileIcon() {
  return (
    <svg class="file-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V9h5.5L13 3.5z" />
    </svg>
  );
}

// ---- Writing: files chosen, dropped or pasted, uploaded with progress before the message is sent ----

export interface Uploads {
  items: readonly QueuedFile[];
  refusals: readonly string[];
  add(files: File[]): void;
  remove(key: number): void;
  /** Uploads what waits, waits for every upload and returns what the server took, in order. */
  finish(conversationId: string): Promise<Attachment[]>;
  /** After the message went: no chips, no notes. */
  clear(): void;
}

/**
 * The composer's files. In a conversation each upload starts when the file is
 * chosen (it goes while the visitor types); before there is one, they wait
 * for the send. A refusal takes the chip away and says why in words.
 */
export function useUploads(core: ChatCore, conversationId: string | undefined): Uploads {
  const [refusals, setRefusals] = useState<string[]>([]);
  const [, rerender] = useState(0);
  const queue = useMemo(
    () =>
      new UploadQueue({
        onChange: () => rerender((n) => n + 1),
        onRefused: (file, err) => setRefusals((r) => [...r, t('fileRefused', { name: isolated(file.name), reason: refusalText(SupportChatError.from(err)) })]),
      }),
    [],
  );
  useEffect(() => () => queue.clear(), []);
  const into = (id: string) => (file: File, options: { signal: AbortSignal; onProgress: (loaded: number) => void }) => core.uploadAttachment(id, file, options);
  return {
    items: queue.items,
    refusals,
    add(files) {
      const left = queue.add(files, conversationId ? into(conversationId) : undefined);
      setRefusals(left ? [t('tooManyFiles', { max: MAX_FILES_PER_MESSAGE })] : []);
    },
    remove: (key) => queue.remove(key),
    finish: (id) => queue.finish(into(id)),
    clear() {
      queue.clear();
      setRefusals([]);
    },
  };
}

/** Files dropped on the panel go to the composer on screen, if it takes files. */
export const dropTarget: { current: ((files: File[]) => void) | null } = { current: null };

export function carriesFiles(event: DragEvent): boolean {
  return !!event.dataTransfer && Array.from(event.dataTransfer.types).includes('Files');
}

export function UploadChips({ uploads }: { uploads: Uploads }) {
  if (uploads.items.length === 0 && uploads.refusals.length === 0) return null;
  return (
    <div class="uploads">
      {uploads.items.length > 0 && (
        <ul class="upload-list" aria-label={t('attachmentsLabel')}>
          {uploads.items.map((u) => (
            <li key={u.key} class="upload" data-testid="upload" data-status={u.status}>
              {u.preview ? <img class="upload-preview" src={u.preview} alt="" /> : <FileIcon />}
              <span class="upload-main">
                <span class="file-name" dir="auto">
                  {u.file.name}
                </span>
                {u.status === 'waiting' ? (
                  <span class="file-size">{formatSize(u.file.size)}</span>
                ) : (
                  <progress max={u.file.size || 1} value={u.loaded} aria-label={t(u.status === 'done' ? 'uploaded' : 'uploading', { name: u.file.name })} />
                )}
              </span>
              <button type="button" class="upload-remove" aria-label={t('removeFile', { name: u.file.name })} onClick={() => uploads.remove(u.key)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {uploads.refusals.length > 0 && (
        <div class="error refusals" role="alert" data-testid="upload-refusals">
          {uploads.refusals.map((r, i) => (
            <p key={i}>{r}</p>
          ))}
        </div>
      )}
    </div>
  );
}

/** The paper-clip button and its file input (the input is what a test or assistive tech may also reach). */
export function AttachButton({ onFiles }: { onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" class="attach" aria-label={t('attachFiles')} title={t('attachFiles')} onClick={() => input.current?.click()}>
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
          <path
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            d="M20.5 11.5l-8.3 8.3a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l7.9-7.9"
          />
        </svg>
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="file-input"
        accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain"
        onChange={(e) => {
          const el = e.currentTarget as HTMLInputElement;
          onFiles(Array.from(el.files ?? []));
          el.value = '';
        }}
      />
    </>
  );
}
