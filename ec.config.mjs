// @ts-check
/**
 * Expressive Code options (Starlight's code blocks). They live here, not in astro.config.mjs,
 * because the <Code> component that lessons use for server code needs them serializable.
 */
import { defineEcConfig } from '@astrojs/starlight/expressive-code';

/**
 * Every code block's <pre> is keyboard-focusable from the first paint. Expressive Code's own
 * script makes an overflowing block focusable only once the page is idle, and adds an unnamed
 * `role="region"` with it: a reader (or axe) who arrives sooner finds a scroll box the keyboard
 * cannot reach. With the tabindex there from the start, the script only removes it again from
 * blocks that do not overflow, and adds no region.
 * @returns {import('@astrojs/starlight/expressive-code').ExpressiveCodePlugin}
 */
function focusableCode() {
  /** @param {{ type: string, tagName?: string, properties?: Record<string, unknown>, children?: any[] }} node */
  const markPre = (node) => {
    if (node.type === 'element' && node.tagName === 'pre') {
      node.properties = { ...node.properties, tabIndex: 0 };
      return;
    }
    for (const child of node.children ?? []) markPre(child);
  };
  return {
    name: 'realtime-lab-focusable-code',
    hooks: {
      postprocessRenderedBlock: ({ renderData }) => markPre(renderData.blockAst),
    },
  };
}

export default defineEcConfig({ plugins: [focusableCode()] });
