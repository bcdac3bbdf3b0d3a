import { useState } from 'preact/hooks';
import type { ReplyFiles } from '../attachments';

/** Files dropped on the open thread go with the reply; `dropping` while a drag with files is over it. */
export function useDropFiles(files: ReplyFiles, enabled: boolean) {
  const [dropping, setDropping] = useState(false);
  const onDragOver = (e: DragEvent) => {
    if (!enabled || !e.dataTransfer || !Array.from(e.dataTransfer.types).includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setDropping(true);
  };
  const onDragLeave = (e: DragEvent) => {
    if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null)) setDropping(false);
  };
  const onDrop = (e: DragEvent) => {
    setDropping(false);
    if (!enabled || !e.dataTransfer?.files.length) return;
    e.preventDefault();
    files.add(Array.from(e.dataTransfer.files));
  };
  return { dropping, onDragOver, onDragLeave, onDrop };
}
