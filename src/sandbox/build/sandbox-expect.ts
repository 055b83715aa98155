/** An `expect` attribute: plain text to find, or a `/pattern/flags` regular expression. */
export type Expectation = { kind: 'text'; text: string } | { kind: 'pattern'; pattern: RegExp };

/** Reads an `expect` attribute; `/.../flags` is a pattern, anything else is text. Throws on a bad pattern. */
export function parseExpect(expect: string): Expectation {
  const match = /^\/(.+)\/([dgimsuvy]*)$/s.exec(expect);
  if (!match) return { kind: 'text', text: expect };
  try {
    return { kind: 'pattern', pattern: new RegExp(match[1] as string, match[2]) };
  } catch (error) {
    throw new Error(`expect ${JSON.stringify(expect)} looks like a /pattern/ but is not a valid regular expression (${(error as Error).message}); write a valid pattern, or plain text without the surrounding slashes`);
  }
}

/** Whether the output shows what the sandbox expects. */
export function matchesExpect(output: string, expect: string): boolean {
  const expectation = parseExpect(expect);
  if (expectation.kind === 'text') return output.includes(expectation.text);
  expectation.pattern.lastIndex = 0;
  return expectation.pattern.test(output);
}
