/**
 * QR codes of the join URL, made here (the `qrcode` package, no network): as text for the
 * terminal, and as SVG for the projector page.
 */
import QRCode from 'qrcode';

/** Light modules around the code; scanners need a quiet zone (ISO/IEC 18004 asks for 4, phones read 2). */
const QUIET_MODULES = 2;

/**
 * The code drawn with half blocks, two rows of modules per line, black on a white background
 * set by ANSI codes on every line, so that it reads the same on dark and light terminals.
 */
export function terminalQr(text: string): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'L' });
  const size = modules.size;
  const dark = (row: number, col: number): boolean => row >= 0 && col >= 0 && row < size && col < size && Boolean(modules.get(row, col));
  const lines: string[] = [];
  for (let row = -QUIET_MODULES; row < size + QUIET_MODULES; row += 2) {
    let line = '';
    for (let col = -QUIET_MODULES; col < size + QUIET_MODULES; col++) {
      const top = dark(row, col);
      const bottom = dark(row + 1, col);
      line += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    // 30: black foreground, 47: white background; 0 resets at the end of each line.
    lines.push(`\x1b[30;47m${line}\x1b[0m`);
  }
  return lines.join('\n');
}

/** The code as an SVG document, black on white, with a title for screen readers. */
export async function svgQr(text: string, title: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4, color: { dark: '#000000', light: '#ffffff' } });
  const escaped = title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return svg.replace(/^<svg([^>]*)>/, `<svg$1 role="img" aria-label="${escaped.replace(/"/g, '&quot;')}"><title>${escaped}</title>`);
}
