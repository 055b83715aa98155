/**
 * The pages the instructor can move the class to, for the dashboard's picker (build time): the
 * site's sidebar in the dashboard's language, each page by its English path (every attendee
 * then goes to it in their own language), and under each lesson its exercises' anchors
 * (`#exercise-<id>`, from the catalog).
 */
import { exercisesOf, type LessonSlug } from '../../exercises/catalog.ts';

/** A sidebar entry as Starlight's route data gives it (only what is read here). */
export type SidebarItem = { type: 'link'; label: string; href: string } | { type: 'group'; label: string; entries: SidebarItem[] };

/** One group of the picker: a label, and its pages as English paths with labels. */
export interface PageChoiceGroup {
  label: string;
  options: { path: string; label: string }[];
}

/** The English path of a sidebar link (`/zh-cn/lessons/sse/` → `/lessons/sse/`), or undefined for a link out of the site. */
export function englishPath(href: string): string | undefined {
  if (!href.startsWith('/') || href.startsWith('//')) return undefined;
  const path = href.replace(/^\/zh-cn(?=\/)/, '');
  return path.endsWith('/') ? path : `${path}/`;
}

/** The picker's groups: top-level pages first (under `pagesLabel`), then each sidebar group, lessons followed by their exercises. */
export function pageChoices(sidebar: readonly SidebarItem[], lang: 'en' | 'zh-CN', pagesLabel: string, exerciseLabel: (title: string) => string): PageChoiceGroup[] {
  const key = lang === 'zh-CN' ? 'zh' : 'en';
  const top: PageChoiceGroup = { label: pagesLabel, options: [] };
  const groups: PageChoiceGroup[] = [top];
  function add(group: PageChoiceGroup, item: SidebarItem): void {
    if (item.type === 'group') {
      for (const entry of item.entries) add(group, entry);
      return;
    }
    const path = englishPath(item.href);
    if (!path) return;
    group.options.push({ path, label: item.label });
    const lesson = /^\/lessons\/([a-z-]+)\/$/.exec(path)?.[1];
    if (!lesson) return;
    for (const exercise of exercisesOf(lesson as LessonSlug)) {
      group.options.push({ path: `${path}#exercise-${exercise.id}`, label: `— ${exerciseLabel(exercise.title[key])}` });
    }
  }
  for (const item of sidebar) {
    if (item.type === 'link') add(top, item);
    else {
      const group = { label: item.label, options: [] };
      add(group, item);
      if (group.options.length > 0) groups.push(group);
    }
  }
  return groups.filter((group) => group.options.length > 0);
}
