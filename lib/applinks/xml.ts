/** Escapes text for an XML element body or attribute (written by hand: five characters). */
export function xmlEscape(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!);
}

/** `<root><k>v</k>…</root>` with an XML declaration; values escaped, undefined ones left out. */
export function xmlDocument(root: string, fields: [string, string | undefined][]): string {
  const body = fields
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `  <${k}>${xmlEscape(v!)}</${k}>`)
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<${root}>\n${body}\n</${root}>\n`;
}
