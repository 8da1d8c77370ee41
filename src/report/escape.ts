/** Text and attribute values made safe for HTML and SVG. */
export function escapeHtml(s: unknown): string {
  return String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Text from a plan or a URL (a plan, scenario, request, check or threshold name, a reason) made
 * inert in Markdown, in a paragraph, a list item, a heading or a table cell: it renders as the
 * same characters and can make no HTML, link, image, autolink or code span, nor end a table
 * cell. Backslash escapes (CommonMark) keep the raw file readable.
 */
export function escapeMarkdown(s: unknown): string {
  return (
    String(s)
      .replace(/\r\n?|\n/g, ' ')
      // A backslash first, so that the escapes added below cannot be undone by the text.
      .replace(/[\\`<>&[\]|]/g, '\\$&')
      // `](` is a link's middle; the `]` is escaped already, the `(` as well for good measure.
      .replace(/\\\]\(/g, '\\]\\(')
      // Bare URLs that GitHub would turn into links: `http://x`, `www.x`.
      .replace(/:\/\//g, '\\://')
      .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\\.`)
  );
}

/**
 * Text shown as inline code in Markdown (a metric key, a threshold expression): literal, fenced
 * by more backticks than it holds in a row, on one line, its pipes escaped for a table cell.
 */
export function markdownCode(s: unknown): string {
  const text = String(s)
    .replace(/\r\n?|\n/g, ' ')
    .replace(/\|/g, '\\|');
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
