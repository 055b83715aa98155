/** The dashboard's page picker (src/workshop/dashboard/page-choices.ts): English paths, lessons with their exercises' anchors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exercisesOf } from '../../../src/exercises/catalog.ts';
import { englishPath, pageChoices, type SidebarItem } from '../../../src/workshop/dashboard/page-choices.ts';

const ZH_SIDEBAR: SidebarItem[] = [
  { type: 'link', label: '练习场', href: '/zh-cn/playground/' },
  { type: 'link', label: '外链', href: 'https://example.org/' },
  { type: 'group', label: '课程', entries: [{ type: 'link', label: '服务器发送事件（SSE）', href: '/zh-cn/lessons/sse/' }] },
  { type: 'group', label: '空组', entries: [] },
];

test('a sidebar link in either language gives the English path, and a link out of the site none', () => {
  assert.equal(englishPath('/zh-cn/lessons/sse/'), '/lessons/sse/');
  assert.equal(englishPath('/lessons/sse'), '/lessons/sse/');
  assert.equal(englishPath('/zh-cnx/'), '/zh-cnx/');
  assert.equal(englishPath('//evil.example/'), undefined);
  assert.equal(englishPath('https://example.org/'), undefined);
});

test('the picker lists the top-level pages, then each group with its lessons followed by their exercises, labels in the page\'s language', () => {
  const groups = pageChoices(ZH_SIDEBAR, 'zh-CN', '页面', (title) => `练习：${title}`);
  assert.deepEqual(groups.map((group) => group.label), ['页面', '课程']);
  assert.deepEqual(groups[0]?.options, [{ path: '/playground/', label: '练习场' }]);
  const lessons = groups[1]?.options ?? [];
  assert.deepEqual(lessons[0], { path: '/lessons/sse/', label: '服务器发送事件（SSE）' });
  const exercises = exercisesOf('sse');
  assert.ok(exercises.length >= 2);
  assert.deepEqual(
    lessons.slice(1),
    exercises.map((exercise) => ({ path: `/lessons/sse/#exercise-${exercise.id}`, label: `— 练习：${exercise.title.zh}` })),
  );
});
