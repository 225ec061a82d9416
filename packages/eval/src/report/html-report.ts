/** One section of an {@link htmlReport}: a heading, an optional paragraph and trusted HTML (tables, SVG). */
export interface ReportSection {
  readonly title: string;
  /** Plain text shown under the heading (escaped). */
  readonly description?: string;
  /** Trusted HTML: an inline `<svg>` from `renderVegaLiteSvg`, a table from `htmlTable`, … */
  readonly html: string;
}

/** Input of {@link htmlReport}. */
export interface HtmlReportInput {
  readonly title: string;
  /** Plain text under the title, e.g. what was evaluated and when (escaped). */
  readonly subtitle?: string;
  readonly sections: readonly ReportSection[];
}

/**
 * A self-contained HTML page: inline CSS, inline SVG charts, no script and no external reference, so it
 * opens offline and can be archived or mailed as one file.
 */
export function htmlReport(input: HtmlReportInput): string {
  const sections = input.sections
    .map(
      (s) => `<section>\n<h2>${escapeHtml(s.title)}</h2>\n${s.description === undefined ? '' : `<p>${escapeHtml(s.description)}</p>\n`}${s.html}\n</section>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; margin-top: 2rem; }
table { border-collapse: collapse; font-size: .9rem; margin: .5rem 0; }
th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f6f8fa; }
svg { max-width: 100%; height: auto; }
.subtitle { color: #57606a; }
</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
${input.subtitle === undefined ? '' : `<p class="subtitle">${escapeHtml(input.subtitle)}</p>`}
${sections}
</body>
</html>
`;
}

/** A plain HTML table; every header and cell is escaped. */
export function htmlTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = `<tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Escapes `& < > " '` for use in HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
