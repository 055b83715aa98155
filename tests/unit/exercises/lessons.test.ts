/**
 * Every code exercise of the catalog is on its lesson's page, in English and in Chinese, under the
 * lesson's exercises heading. (The quiz, `<ExerciseQuiz>`, is placed by the Progress page's part.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { EXERCISES } from '../../../src/exercises/catalog.ts';

const CODE_EXERCISES = EXERCISES.filter((exercise) => exercise.kind === 'code');

const PAGES = { en: { dir: 'content/docs/lessons', heading: '## Exercises' }, zh: { dir: 'content/docs/zh-cn/lessons', heading: '## 练习' } } as const;

describe('the exercises in the lessons', () => {
  for (const [lang, { dir, heading }] of Object.entries(PAGES)) {
    it(`puts every code exercise on its lesson's ${lang} page, once, after the exercises heading, in the catalog's order`, () => {
      for (const lesson of new Set(CODE_EXERCISES.map((exercise) => exercise.lesson))) {
        const page = readFileSync(`${dir}/${lesson}.mdx`, 'utf8');
        assert.match(page, /^import Exercise from '~\/components\/Exercise\.astro';$/m, `${lesson} (${lang}) imports Exercise`);
        const section = page.indexOf(`\n${heading}\n`);
        assert.ok(section > 0, `${lesson} (${lang}) has "${heading}"`);
        const onPage = [...page.matchAll(/<Exercise id="([\w-]+)" \/>/g)].map((match) => ({ id: match[1], at: match.index }));
        const expected = CODE_EXERCISES.filter((exercise) => exercise.lesson === lesson).map((exercise) => exercise.id);
        assert.deepEqual(onPage.map((found) => found.id), expected, `${lesson} (${lang})`);
        assert.ok(onPage.every((found) => found.at > section), `${lesson} (${lang}): exercises sit under "${heading}"`);
      }
    });
  }
});
