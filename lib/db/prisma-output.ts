/**
 * Prisma 6.19's CLI warns on every run that the schema's datasource `url` is unused with a driver
 * adapter. This app needs that `url` (without it the CLI tries to download a query engine this
 * network cannot reach), so the warning is noise that reads as broken to someone starting the app:
 * it is left out of what `npm start` prints, and nothing else is.
 */
const START = /^WARNING: Your schema specifies the following datasource properties but you are using a Driver Adapter/;
const END = /^We recommend you to remove those properties from your schema/;

export function withoutAdapterUrlWarning(output: string): string {
  const lines = output.split("\n");
  const start = lines.findIndex((line) => START.test(line));
  if (start === -1) return output;
  const end = lines.findIndex((line, i) => i > start && END.test(line));
  if (end === -1) return output;
  // The block's own blank line after it goes too.
  const after = lines[end + 1] === "" ? end + 2 : end + 1;
  return [...lines.slice(0, start), ...lines.slice(after)].join("\n");
}
