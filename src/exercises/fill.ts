/** Template filling for the exercises' strings (src/exercises/strings.ts), alone so that page scripts can load it without every sentence. */

/** Fills `{{name}}` placeholders; a name without a value stays visible, to be noticed. */
export function fill(template: string, values: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
