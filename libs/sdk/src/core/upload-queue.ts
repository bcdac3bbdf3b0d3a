import type { Attachment } from '../types';

/** At most this many files in one message (the server's limit too). */
export const MAX_FILES_PER_MESSAGE = 10;

const INLINE = /^image\/(png|jpeg|gif|webp)$/;

/** Shown inline as an image (the types the server serves inline); everything else is a file to download. */
export function isInlineImage(contentType: string): boolean {
  return INLINE.test(contentType);
}

/** Uploads one file: the frame's ChatCore.uploadAttachment, the inbox's operator upload. */
export type Uploader = (file: File, options: { signal: AbortSignal; onProgress: (loaded: number) => void }) => Promise<Attachment>;

export interface QueuedFile {
  readonly key: number;
  readonly file: File;
  /** A local preview of an image (a blob: URL of the File itself), revoked when it leaves the queue. */
  readonly preview?: string;
  loaded: number;
  status: 'waiting' | 'uploading' | 'done';
}

interface Entry extends QueuedFile {
  controller: AbortController;
  result?: Promise<Attachment | null>;
}

/**
 * The files of a message being written, without a UI (the frame and the
 * inbox each wrap it in a hook): a file uploads once started, reports its
 * progress, can be removed (its upload aborted); a refusal takes it out and
 * is handed to `onRefused`. `finish` waits for all of them and returns what
 * the server took, in order.
 */
export class UploadQueue {
  private entries: Entry[] = [];
  private nextKey = 0;

  constructor(
    private readonly options: {
      onChange: () => void;
      onRefused: (file: File, error: unknown) => void;
      max?: number;
    },
  ) {}

  get items(): readonly QueuedFile[] {
    return this.entries;
  }

  /** Queues what fits under the limit and returns how many were left out; with an uploader they start at once. */
  add(files: File[], upload?: Uploader): number {
    const room = Math.max((this.options.max ?? MAX_FILES_PER_MESSAGE) - this.entries.length, 0);
    for (const file of files.slice(0, room)) {
      const entry: Entry = { key: ++this.nextKey, file, loaded: 0, status: 'waiting', controller: new AbortController() };
      if (isInlineImage(file.type) && typeof URL.createObjectURL === 'function') (entry as { preview?: string }).preview = URL.createObjectURL(file);
      this.entries = [...this.entries, entry];
      if (upload) this.start(entry, upload);
    }
    this.options.onChange();
    return Math.max(files.length - room, 0);
  }

  remove(key: number): void {
    const entry = this.entries.find((e) => e.key === key);
    if (!entry) return;
    entry.controller.abort();
    this.drop(entry);
    this.options.onChange();
  }

  /** Starts what waits, then resolves with every attachment the server took (refused and removed files left out). */
  async finish(upload: Uploader): Promise<Attachment[]> {
    for (const entry of this.entries) if (entry.status === 'waiting') this.start(entry, upload);
    this.options.onChange();
    const results = await Promise.all(this.entries.map((e) => e.result));
    return results.filter((a): a is Attachment => !!a);
  }

  /** Empty again; uploads still running are aborted. */
  clear(): void {
    for (const entry of this.entries) {
      entry.controller.abort();
      this.drop(entry);
    }
    this.options.onChange();
  }

  private start(entry: Entry, upload: Uploader): void {
    entry.status = 'uploading';
    const onProgress = (loaded: number) => {
      entry.loaded = loaded;
      this.options.onChange();
    };
    entry.result = upload(entry.file, { signal: entry.controller.signal, onProgress }).then(
      (attachment) => {
        entry.status = 'done';
        entry.loaded = entry.file.size;
        this.options.onChange();
        return attachment;
      },
      (error: unknown) => {
        const removed = !this.entries.includes(entry);
        this.drop(entry);
        if (!removed && (error as { code?: string })?.code !== 'cancelled') this.options.onRefused(entry.file, error);
        this.options.onChange();
        return null;
      },
    );
  }

  private drop(entry: Entry): void {
    this.entries = this.entries.filter((e) => e !== entry);
    if (entry.preview) URL.revokeObjectURL(entry.preview);
  }
}

const sizeNumber = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** A file's size for people: the number in the reader's locale, B, KB or MB of 1024 (as the server counts its limit). */
export function formatSize(bytes: number): string {
  const step = bytes < 1024 ? 0 : bytes < 1024 * 1024 ? 1 : 2;
  return `${sizeNumber.format(bytes / 1024 ** step)} ${['B', 'KB', 'MB'][step]}`;
}

const blobUrls = new Map<string, Promise<string>>();

/**
 * One blob: URL per attachment id for the life of the page (an attachment's
 * bytes never change); a failed load is forgotten, so the next call tries again.
 */
export function cachedBlobUrl(id: string, load: () => Promise<Blob>): Promise<string> {
  let url = blobUrls.get(id);
  if (!url) {
    url = load().then((blob) => URL.createObjectURL(blob));
    url.catch(() => blobUrls.delete(id));
    blobUrls.set(id, url);
  }
  return url;
}

/** What a view shows of a blob: URL being loaded. */
export interface BlobUrlState {
  url?: string;
  failed?: boolean;
}

/**
 * Loads a blob: URL and reports it (or the failure) unless cancelled first: a
 * component's effect returns the cancel, so a view that went away is never set.
 */
export function watchBlobUrl(load: () => Promise<string>, report: (state: BlobUrlState) => void): () => void {
  let live = true;
  load().then(
    (url) => live && report({ url }),
    () => live && report({ failed: true }),
  );
  return () => {
    live = false;
  };
}

/** Saves a blob: URL under a file name (an anchor with `download`, clicked while the person's click still counts). */
export function saveBlobUrl(url: string, name: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
