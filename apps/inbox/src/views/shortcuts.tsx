/** The keyboard shortcuts, listed on the page (hooks/use-keyboard.ts handles them). */
export function Shortcuts() {
  return (
    <section class="shortcuts" aria-labelledby="shortcuts-h">
      <h2 id="shortcuts-h">Keyboard shortcuts</h2>
      <dl>
        <div>
          <dt>
            <kbd>j</kbd> / <kbd>Alt</kbd>+<kbd>↓</kbd>
          </dt>
          <dd>Next conversation</dd>
        </div>
        <div>
          <dt>
            <kbd>k</kbd> / <kbd>Alt</kbd>+<kbd>↑</kbd>
          </dt>
          <dd>Previous conversation</dd>
        </div>
        <div>
          <dt>
            <kbd>r</kbd>
          </dt>
          <dd>Reply</dd>
        </div>
        <div>
          <dt>
            <kbd>Enter</kbd>
          </dt>
          <dd>Send the reply</dd>
        </div>
        <div>
          <dt>
            <kbd>Esc</kbd>
          </dt>
          <dd>Leave the reply box</dd>
        </div>
        <div>
          <dt>
            <kbd>e</kbd>
          </dt>
          <dd>Resolve</dd>
        </div>
      </dl>
    </section>
  );
}
