import type { FrameLayout } from '@widget/contracts/frame';

export type View =
  | { name: 'home' }
  | { name: 'thread'; id: string }
  | { name: 'new'; prefill?: string; metadata?: Record<string, unknown> }
  | { name: 'article'; id: string }
  | { name: 'form'; id: string };

/** What the frame shows: open or not, which view, the launcher. The page drives it through the SDK. */
export class UiState {
  open = false;
  visible = true;
  launcherVisible = true;
  position: FrameLayout['position'] = 'bottom-right';
  /** features.customLauncher: the site opens the widget itself; no bubble. */
  customLauncher = false;
  view: View = { name: 'home' };
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  update(patch: Partial<Pick<UiState, 'open' | 'visible' | 'launcherVisible' | 'position' | 'customLauncher' | 'view'>>): void {
    Object.assign(this, patch);
    for (const listener of this.listeners) listener();
  }

  layout(): FrameLayout {
    const mode = !this.visible ? 'hidden' : this.open ? 'open' : this.launcherVisible && !this.customLauncher ? 'launcher' : 'hidden';
    return { mode, position: this.position };
  }
}
