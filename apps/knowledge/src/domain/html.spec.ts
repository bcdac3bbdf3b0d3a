import { escapeHtml, htmlToText, sanitizeArticleHtml } from './html';

describe('sanitizeArticleHtml', () => {
  it('drops scripts, iframes, styles and event handlers, keeping the text formatting', () => {
    const dirty =
      '<h2 onclick="x()">Title</h2><script>alert(1)</script><p style="color:red" onmouseover="steal()">Hello <b>you</b></p>' +
      '<iframe src="https://evil.example"></iframe><style>p{}</style><form><input name="a"></form>';
    expect(sanitizeArticleHtml(dirty)).toBe('<h2>Title</h2><p>Hello <b>you</b></p>');
  });

  it('removes javascript: and data: URLs from links and images, keeps http(s) and mailto', () => {
    const out = sanitizeArticleHtml(
      '<a href="javascript:alert(1)">a</a><a href="JaVaScRiPt:alert(1)">b</a><img src="data:image/png;base64,AAAA">' +
        '<a href="https://ok.example/x">c</a><a href="mailto:help@example.com">d</a><img src="https://cdn.example/i.png" alt="i">',
    );
    expect(out).not.toMatch(/javascript|data:/i);
    expect(out).toContain('<a href="https://ok.example/x">c</a>');
    expect(out).toContain('<a href="mailto:help@example.com">d</a>');
    expect(out).toContain('<img src="https://cdn.example/i.png" alt="i" />');
  });

  it('adds rel="noopener noreferrer" to links that open a new tab', () => {
    expect(sanitizeArticleHtml('<a href="https://a.example" target="_blank">x</a>')).toBe(
      '<a href="https://a.example" target="_blank" rel="noopener noreferrer">x</a>',
    );
  });
});

describe('htmlToText', () => {
  it('puts each block on its own line and decodes entities', () => {
    const html = sanitizeArticleHtml('<h2>Step&nbsp;one</h2><p>Use &lt;b&gt; &amp; more.</p><ul><li>First</li><li>Second</li></ul>Tail<br>end');
    expect(htmlToText(html)).toBe('Step one\nUse <b> & more.\nFirst\nSecond\nTail\nend');
  });

  it('strips the private-use characters that mark snippet matches', () => {
    expect(htmlToText('<p>a\uE000b\uE001c</p>')).toBe('abc');
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
