/** Where a page's "Skip to the first sandbox" link points, worked out from the page's MDX source. */
import { sandboxId } from '../sandbox/build/sandbox-source.ts';

const FIRST_SANDBOX = /<Sandbox\b[^>]*?\btitle="([^"]*)"/;

/** The id of the first sandbox's title on a page, or undefined when the page has none. */
export function firstSandboxTarget(body: string): string | undefined {
  const title = FIRST_SANDBOX.exec(body)?.[1];
  return title === undefined ? undefined : `rl-sb-${sandboxId(title)}-title`;
}
