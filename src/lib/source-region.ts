/**
 * Extracts a named region from a source file, so lessons show the server code that runs
 * instead of a pasted copy. Regions are marked with `// #region name` and `// #endregion name`.
 */

/** Thrown when a lesson asks for a region that does not exist, with what to do about it. */
export class SourceRegionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceRegionError';
  }
}

/** The lines between `// #region name` and `// #endregion`, without the markers, dedented. */
export function extractRegion(source: string, region: string, file = 'the file'): string {
  const lines = source.split('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${region}`);
  if (start < 0) {
    const found = lines.map((line) => /^\s*\/\/ #region (\S+)/.exec(line)?.[1]).filter(Boolean);
    throw new SourceRegionError(`no region "${region}" in ${file}; add \`// #region ${region}\` and \`// #endregion ${region}\` around the code to show. Regions in it: ${found.join(', ') || 'none'}`);
  }
  const end = lines.findIndex((line, i) => i > start && /^\s*\/\/ #endregion(\s|$)/.test(line) && (line.trim() === '// #endregion' || line.trim() === `// #endregion ${region}`));
  if (end < 0) throw new SourceRegionError(`region "${region}" in ${file} is never closed; add \`// #endregion ${region}\``);
  const body = lines.slice(start + 1, end).filter((line) => !/^\s*\/\/ #(end)?region\b/.test(line));
  const indent = Math.min(...body.filter((line) => line.trim() !== '').map((line) => /^\s*/.exec(line)?.[0].length ?? 0));
  return body.map((line) => line.slice(Number.isFinite(indent) ? indent : 0)).join('\n').trimEnd();
}

/** Strips every region marker from a whole file, for showing a file in full. */
export function stripRegionMarkers(source: string): string {
  return source.split('\n').filter((line) => !/^\s*\/\/ #(end)?region\b/.test(line)).join('\n').trimEnd();
}
