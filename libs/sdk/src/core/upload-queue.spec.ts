import { SupportChatError } from '../errors';
import type { Attachment } from '../types';
import { cachedBlobUrl, formatSize, isInlineImage, UploadQueue, Uploader, watchBlobUrl } from './upload-queue';

const file = (name: string, type = 'application/pdf', size = 100) => new File([new Uint8Array(size)], name, { type });
const attachment = (name: string): Attachment => ({ id: `att_${name}`, name, contentType: 'application/pdf', size: 100, url: `/widget/v1/attachments/att_${name}?expires=1&sig=s` });

/** An uploader the test answers by hand, one call at a time. */
function manualUploader() {
  const calls: { file: File; signal: AbortSignal; onProgress: (n: number) => void; resolve: (a: Attachment) => void; reject: (e: unknown) => void }[] = [];
  const upload: Uploader = (f, options) => new Promise<Attachment>((resolve, reject) => calls.push({ file: f, ...options, resolve, reject }));
  return { upload, calls };
}

function queue(max?: number) {
  const refused: string[] = [];
  let changes = 0;
  const q = new UploadQueue({ max, onChange: () => changes++, onRefused: (f, e) => refused.push(`${f.name}:${(e as SupportChatError).code}`) });
  return { q, refused, changes: () => changes };
}

describe('UploadQueue', () => {
  it('starts each file at once with an uploader, follows its progress, and finishes with what the server took, in order', async () => {
    const { q, changes } = queue();
    const { upload, calls } = manualUploader();
    expect(q.add([file('a.pdf'), file('b.pdf')], upload)).toBe(0);
    expect(q.items.map((i) => [i.file.name, i.status])).toEqual([
      ['a.pdf', 'uploading'],
      ['b.pdf', 'uploading'],
    ]);
    calls[0]!.onProgress(40);
    expect(q.items[0]!.loaded).toBe(40);
    const finished = q.finish(upload);
    calls[1]!.resolve(attachment('b.pdf'));
    calls[0]!.resolve(attachment('a.pdf'));
    expect((await finished).map((a) => a.name)).toEqual(['a.pdf', 'b.pdf']);
    expect(q.items.map((i) => [i.status, i.loaded])).toEqual([
      ['done', 100],
      ['done', 100],
    ]);
    expect(calls).toHaveLength(2);
    expect(changes()).toBeGreaterThan(3);
  });

  it('keeps files waiting without an uploader until finish starts them', async () => {
    const { q } = queue();
    const { upload, calls } = manualUploader();
    q.add([file('a.pdf')]);
    expect(q.items[0]!.status).toBe('waiting');
    const finished = q.finish(upload);
    expect(calls.map((c) => c.file.name)).toEqual(['a.pdf']);
    calls[0]!.resolve(attachment('a.pdf'));
    expect(await finished).toHaveLength(1);
  });

  it('takes a refused file out and reports it; a removed one is aborted and not reported', async () => {
    const { q, refused } = queue();
    const { upload, calls } = manualUploader();
    q.add([file('big.pdf'), file('gone.pdf'), file('ok.pdf')], upload);
    calls[0]!.reject(new SupportChatError({ code: 'attachment_too_large', message: 'too large', recoverable: false }));
    q.remove(q.items.find((i) => i.file.name === 'gone.pdf')!.key);
    expect(calls[1]!.signal.aborted).toBe(true);
    calls[1]!.reject(new SupportChatError({ code: 'cancelled', message: 'cancelled', recoverable: false }));
    calls[2]!.resolve(attachment('ok.pdf'));
    expect((await q.finish(upload)).map((a) => a.name)).toEqual(['ok.pdf']);
    expect(refused).toEqual(['big.pdf:attachment_too_large']);
    expect(q.items.map((i) => i.file.name)).toEqual(['ok.pdf']);
  });

  it('queues no more than the limit and says how many were left out; clear aborts and empties', () => {
    const { q } = queue(2);
    const { upload, calls } = manualUploader();
    expect(q.add([file('1.pdf'), file('2.pdf'), file('3.pdf')], upload)).toBe(1);
    expect(q.add([file('4.pdf')], upload)).toBe(1);
    q.clear();
    expect(q.items).toEqual([]);
    expect(calls.every((c) => c.signal.aborted)).toBe(true);
  });

  it('previews an image from the file itself', () => {
    const { q } = queue();
    q.add([file('shot.png', 'image/png'), file('doc.pdf')]);
    expect(q.items.map((i) => i.preview?.startsWith('blob:') ?? false)).toEqual([true, false]);
  });
});

describe('attachment helpers', () => {
  it('shows the server’s inline image types inline, nothing else', () => {
    expect(['image/png', 'image/jpeg', 'image/gif', 'image/webp'].every(isInlineImage)).toBe(true);
    expect(['image/svg+xml', 'application/pdf', 'text/plain', 'image/png; charset=x'].some(isInlineImage)).toBe(false);
  });

  it('formats sizes in units of 1024', () => {
    expect([512, 1536, 10 * 1024 * 1024].map(formatSize)).toEqual(['512 B', '1.5 KB', '10 MB']);
  });

  it('loads each attachment once into a blob: URL, and tries again after a failure', async () => {
    let loads = 0;
    const failing = () => (++loads, Promise.reject(new Error('offline')));
    await expect(cachedBlobUrl('att_x', failing)).rejects.toThrow('offline');
    const ok = () => (++loads, Promise.resolve(new Blob(['hi'])));
    const first = await cachedBlobUrl('att_x', ok);
    expect(first).toMatch(/^blob:/);
    expect(await cachedBlobUrl('att_x', ok)).toBe(first);
    expect(loads).toBe(2);
  });

  it('watchBlobUrl reports the url or the failure, and nothing once cancelled', async () => {
    const seen: unknown[] = [];
    watchBlobUrl(() => Promise.resolve('blob:ok'), (state) => seen.push(state));
    watchBlobUrl(() => Promise.reject(new Error('gone')), (state) => seen.push(state));
    const cancel = watchBlobUrl(() => Promise.resolve('blob:late'), (state) => seen.push(state));
    cancel();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([{ url: 'blob:ok' }, { failed: true }]);
  });
});
