/**
 * A Markdown (Sätteri hast) plugin for lessons: what scrolls sideways can be reached by keyboard
 * and read on a phone. Markdown tables, each its own scroll box in Starlight, get
 * `tabindex="0"`; each sequence diagram imported from src/assets/diagrams/ is wrapped in a
 * focusable box that keeps its text readable on a narrow screen and scrolls sideways instead
 * (styles in src/styles/a11y.css).
 */
import type { HastPluginDefinition, PluginFactoryContext } from 'satteri';

const DIAGRAM_IMPORT = /import\s+(\w+)\s+from\s+['"][^'"]*\/assets\/diagrams\/[^'"]+\.svg['"]/g;
const DIAGRAM_LABEL = { en: 'Diagram', 'zh-cn': '示意图' };

/** The names a lesson imports its diagrams under: `import PollingDiagram from '~/assets/diagrams/polling.svg'`. */
export function diagramNames(source: string): string[] {
  return [...source.matchAll(DIAGRAM_IMPORT)].map((match) => match[1] as string);
}

/** The plugin for one document; see the file's comment. */
export function scrollRegions({ fileURL, source }: PluginFactoryContext): HastPluginDefinition {
  const label = fileURL && /\/zh-cn\//.test(fileURL.pathname) ? DIAGRAM_LABEL['zh-cn'] : DIAGRAM_LABEL.en;
  const diagrams = diagramNames(source);
  return {
    name: 'realtime-lab-scroll-regions',
    element: {
      filter: ['table'],
      visit(node, ctx) {
        ctx.setProperty(node, 'tabindex', '0');
      },
    },
    ...(diagrams.length && {
      mdxJsxFlowElement: {
        filter: diagrams,
        visit(node, ctx) {
          ctx.wrapNode(node, { type: 'element', tagName: 'div', properties: { class: 'rl-diagram', tabindex: '0', role: 'group', 'aria-label': label }, children: [] });
        },
      },
    }),
  };
}
