/** One table of the report, rendered as text on stdout and as Markdown in `latest.md`. */
export interface Table {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Renders tables as aligned plain text for a terminal. */
export function renderText(tables: readonly Table[]): string {
  return tables
    .map((table) => {
      const lines = [table.headers, ...table.rows];
      const widths = table.headers.map((_, column) => Math.max(...lines.map((line) => (line[column] ?? '').length)));
      const format = (line: readonly string[]) =>
        line
          .map((cell, column) => cell.padEnd(widths[column] as number))
          .join('  ')
          .trimEnd();
      return [table.title, format(table.headers), widths.map((width) => '-'.repeat(width)).join('  '), ...table.rows.map(format)].join('\n');
    })
    .join('\n\n');
}

/** Renders tables as GitHub Markdown, each under a `###` heading. */
export function renderMarkdown(tables: readonly Table[]): string {
  const row = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  return tables
    .map((table) => [`### ${table.title}`, '', row(table.headers), row(table.headers.map(() => '---')), ...table.rows.map(row)].join('\n'))
    .join('\n\n');
}
