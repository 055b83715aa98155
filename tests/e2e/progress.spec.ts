/**
 * The "Which technique when" quiz and the Progress page, in real Chromium, in English and Chinese:
 * the quiz answered wrong then right with its explanations, restored after a reload with its
 * notice; the Progress page listing every exercise and following the quiz; Export, then Import in a
 * fresh browser; a broken file's error in the reader's language; Reset all; and axe over each state.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import { EXERCISES, exerciseById, type QuizExercise, type TechniqueChoice } from '../../src/exercises/catalog.ts';
import { exerciseStrings, fill } from '../../src/exercises/strings.ts';
import { seriousViolations } from './axe-run.ts';

const quiz = exerciseById('choosing-quiz') as QuizExercise;
/** The page's JavaScript before interaction, as tests/e2e/budgets.spec.ts holds every page to. */
const PAGE_JS_BUDGET = 20 * 1024;
const LANGS = [
  { lang: 'en', prefix: '', text: (value: { en: string; zh: string }) => value.en },
  { lang: 'zh-CN', prefix: '/zh-cn', text: (value: { en: string; zh: string }) => value.zh },
] as const;
type Lang = (typeof LANGS)[number];

/** Another technique than the right one, so that the answer is wrong. */
function wrongFor(answer: TechniqueChoice): TechniqueChoice {
  return answer === 'poll' ? 'sse' : 'poll';
}

/** Chooses an answer for each scenario, by the labels a reader sees. */
async function answerQuiz(page: Page, l: Lang, choose: (scenario: QuizExercise['scenarios'][number], index: number) => TechniqueChoice): Promise<void> {
  for (const [index, scenario] of quiz.scenarios.entries()) {
    const group = page.getByRole('group', { name: l.text(scenario.prompt) });
    await group.getByRole('radio', { name: l.text(quiz.choices[choose(scenario, index)]), exact: true }).check();
  }
}

function quizRoot(page: Page) {
  return page.locator('[data-rl-quiz]');
}

async function expectNoSeriousViolations(page: Page, where: string): Promise<void> {
  expect(await seriousViolations(page), `axe on ${where}`).toEqual([]);
}

for (const l of LANGS) {
  const s = exerciseStrings(l.lang);
  const choosing = `${l.prefix}/lessons/choosing/`;
  const progressPage = `${l.prefix}/progress/`;

  test(`(${l.lang}) the quiz answered wrong then right shows each verdict with its explanation, and is restored after a reload with a notice`, async ({ page }) => {
    await page.goto(choosing);
    const root = quizRoot(page);
    await expect(root).toHaveAttribute('id', 'exercise-choosing-quiz');
    // The first two wrong, the others right.
    await answerQuiz(page, l, (scenario, index) => (index < 2 ? wrongFor(scenario.answer) : scenario.answer));
    await root.getByRole('button', { name: s['quiz.check'] }).click();
    const total = quiz.scenarios.length;
    await expect(root.getByRole('status')).toContainText(fill(s['quiz.state.wrong'], { right: total - 2, total }));
    for (const [index, scenario] of quiz.scenarios.entries()) {
      const group = page.getByRole('group', { name: l.text(scenario.prompt) });
      const verdict =
        index < 2
          ? fill(s['quiz.wrong'], { chosen: l.text(quiz.choices[wrongFor(scenario.answer)]), answer: l.text(quiz.choices[scenario.answer]) })
          : fill(s['quiz.right'], { answer: l.text(quiz.choices[scenario.answer]) });
      await expect(group).toContainText(verdict);
      await expect(group).toContainText(l.text(scenario.explanation));
    }

    // Changing an answer takes its old verdict away; Check again with all right.
    const first = page.getByRole('group', { name: l.text(quiz.scenarios[0]!.prompt) });
    await first.getByRole('radio', { name: l.text(quiz.choices[quiz.scenarios[0]!.answer]), exact: true }).check();
    await expect(first.locator('[data-result]')).toBeHidden();
    await answerQuiz(page, l, (scenario) => scenario.answer);
    await root.getByRole('button', { name: s['quiz.check'] }).click();
    await expect(root.getByRole('status')).toContainText(fill(s['quiz.state.passed'], { total }));
    await expect(root.getByRole('status')).toContainText(fill(s['quiz.attempts'], { count: 2 }));
    await expect(root.locator('[data-result][data-state="passed"]')).toHaveCount(total);

    await page.reload();
    const notice = root.locator('[data-restored]');
    await expect(notice).toBeVisible();
    await expect(notice).toContainText(s['quiz.restored'].split('{{when}}')[0]!.trim());
    for (const scenario of quiz.scenarios) {
      await expect(page.getByRole('group', { name: l.text(scenario.prompt) }).getByRole('radio', { name: l.text(quiz.choices[scenario.answer]), exact: true })).toBeChecked();
    }
    await expect(root.getByRole('status')).toContainText(fill(s['quiz.state.passed'], { total }));

    // "Reset?" from the keyboard: answers, verdicts and the stored progress are gone.
    await notice.getByRole('button', { name: s['exercise.restored.reset'] }).focus();
    await page.keyboard.press('Enter');
    await expect(notice).toBeHidden();
    await expect(root.getByRole('radio', { checked: true })).toHaveCount(0);
    await expect(root.locator('[data-result]:visible')).toHaveCount(0);
    await page.reload();
    await expect(root.locator('[data-restored]')).toBeHidden();
    await expect(root.getByRole('radio', { checked: true })).toHaveCount(0);
  });

  test(`(${l.lang}) the quiz can be answered and checked from the keyboard alone`, async ({ page }) => {
    await page.goto(choosing);
    const root = quizRoot(page);
    const radios = root.getByRole('radio');
    await radios.first().focus();
    // Space picks the focused radio; Tab moves to the next scenario's group.
    for (let i = 0; i < quiz.scenarios.length; i++) {
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
    }
    await expect(root.getByRole('button', { name: s['quiz.check'] })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(root.getByRole('status')).not.toBeEmpty();
    await expect(root.locator('[data-result]:visible')).toHaveCount(quiz.scenarios.length);
  });

  test(`(${l.lang}) the Progress page lists every exercise by lesson, and shows the quiz's attempt`, async ({ page }) => {
    await page.goto(progressPage);
    const items = page.locator('[data-rl-progress] [data-exercise]');
    await expect(items).toHaveCount(EXERCISES.length);
    for (const exercise of EXERCISES) {
      const item = page.locator(`[data-exercise="${exercise.id}"]`);
      await expect(item.getByRole('link', { name: l.text(exercise.title) })).toHaveAttribute('href', `${l.prefix}/lessons/${exercise.lesson}/#exercise-${exercise.id}`);
      await expect(item).toContainText(s['progress.state.not-started']);
    }
    // One heading per lesson that has exercises, in the course's order.
    const lessons = [...new Set(EXERCISES.map((exercise) => exercise.lesson))];
    await expect(page.locator('.rl-progress-lesson h2 a')).toHaveCount(lessons.length);
    await expect(page.locator('.rl-progress-lesson h2 a').first()).toHaveAttribute('href', `${l.prefix}/lessons/${lessons[0]}/`);
    await expectNoSeriousViolations(page, `${progressPage}, empty`);

    // Follow the quiz's link, answer one scenario wrong, come back.
    await page.locator('[data-exercise="choosing-quiz"]').getByRole('link').click();
    await expect(page).toHaveURL(new RegExp(`${choosing}#exercise-choosing-quiz$`));
    await answerQuiz(page, l, (scenario, index) => (index === 0 ? wrongFor(scenario.answer) : scenario.answer));
    await quizRoot(page).getByRole('button', { name: s['quiz.check'] }).click();
    await expect(quizRoot(page).getByRole('status')).not.toBeEmpty();
    await page.goto(progressPage);
    const item = page.locator('[data-exercise="choosing-quiz"]');
    await expect(item.locator('[data-field="state"]')).toHaveText(s['progress.state.wrong']);
    await expect(item.locator('[data-field="checks"]')).toHaveText(fill(s['progress.checks.count'], { passed: quiz.scenarios.length - 1, total: quiz.scenarios.length }));
    await expect(item.locator('[data-field="attempts"]')).toHaveText('1');
    await expect(item.locator('[data-field="when"]')).not.toHaveText(s['progress.never']);
    await expect(page.locator('[data-summary]')).toContainText(fill(s['progress.summary'], { passed: 0, started: 1, total: EXERCISES.length }));
    await expectNoSeriousViolations(page, `${progressPage}, with progress`);
  });

  test(`(${l.lang}) exported progress imported in a fresh browser restores it, and reports what it skipped`, async ({ page, browser }) => {
    await page.goto(choosing);
    await answerQuiz(page, l, (scenario) => scenario.answer);
    await quizRoot(page).getByRole('button', { name: s['quiz.check'] }).click();
    await expect(quizRoot(page).getByRole('status')).not.toBeEmpty();
    await page.goto(progressPage);
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: s['progress.export'] }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^realtime-lab-progress-\d{4}-\d{2}-\d{2}\.json$/);
    await expect(page.getByRole('status').filter({ hasText: download.suggestedFilename() })).toBeVisible();
    const exported = JSON.parse(await readFile(await download.path(), 'utf8')) as { version: number; exercises: Record<string, unknown> };
    expect(Object.keys(exported.exercises)).toEqual(['choosing-quiz']);
    // A file from a later course might name an exercise this one does not have.
    exported.exercises['renamed-long-ago'] = exported.exercises['choosing-quiz'];

    const fresh = await browser.newContext({ baseURL: process.env.RL_E2E_BASE_URL as string });
    const other = await fresh.newPage();
    await other.goto(progressPage);
    await expect(other.locator('[data-exercise="choosing-quiz"] [data-field="state"]')).toHaveText(s['progress.state.not-started']);
    await other.locator('[data-rl-progress] input[type="file"]').setInputFiles({ name: 'progress.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported)) });
    const message = other.locator('[data-message]');
    await expect(message).toContainText(fill(s['progress.imported'], { count: 1 }));
    await expect(message).toContainText(fill(s['progress.skipped'], { count: 1, ids: 'renamed-long-ago' }));
    await expect(other.locator('[data-exercise="choosing-quiz"] [data-field="state"]')).toHaveText(s['progress.state.passed']);
    // The quiz in the fresh browser has the answers back.
    await other.goto(choosing);
    await expect(quizRoot(other).getByRole('radio', { checked: true })).toHaveCount(quiz.scenarios.length);
    await expect(quizRoot(other).getByRole('status')).toContainText(fill(s['quiz.state.passed'], { total: quiz.scenarios.length }));
    await fresh.close();
  });

  test(`(${l.lang}) a broken progress file is refused with the wrong field named in the reader's language, and Reset all asks first`, async ({ page }) => {
    await page.goto(progressPage);
    const file = page.locator('[data-rl-progress] input[type="file"]');
    const message = page.locator('[data-message]');
    const broken = { version: 1, exercises: { 'choosing-quiz': { attempts: -2, code: '', at: '2026-01-01T00:00:00.000Z', checks: {} } } };
    await file.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
    const reason = fill(s['progress.error.attempts'], { field: 'exercises["choosing-quiz"].attempts', max: 1_000_000, received: '-2' });
    await expect(message).toHaveText(fill(s['progress.import.failed'], { reason }));
    await expect(message).toHaveAttribute('data-kind', 'error');
    await expectNoSeriousViolations(page, `${progressPage}, after an import error`);
    await file.setInputFiles({ name: 'not.json', mimeType: 'application/json', buffer: Buffer.from('{nope') });
    await expect(message).toContainText(s['progress.error.notJson'].split('(')[0]!.split('（')[0]!.trim());
    await expect(page.locator('[data-exercise="choosing-quiz"] [data-field="state"]')).toHaveText(s['progress.state.not-started']);

    // Some progress, then Reset all: dismissed keeps it, accepted forgets it.
    // A code exercise edited but never checked is being worked on.
    const good = {
      version: 1,
      exercises: {
        'choosing-quiz': { state: 'wrong', attempts: 3, code: '', at: '2026-01-01T00:00:00.000Z', checks: {}, answers: {} },
        'polling-cursor': { attempts: 0, code: 'let since = 0;', at: '2026-01-01T00:00:00.000Z', checks: {} },
      },
    };
    await file.setInputFiles({ name: 'good.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(good)) });
    await expect(message).toHaveText(fill(s['progress.imported'], { count: 2 }));
    const state = page.locator('[data-exercise="choosing-quiz"] [data-field="state"]');
    await expect(state).toHaveText(s['progress.state.wrong']);
    await expect(page.locator('[data-exercise="polling-cursor"] [data-field="state"]')).toHaveText(s['progress.state.working']);
    await expect(page.locator('[data-exercise="polling-cursor"] [data-field="when"]')).toHaveText(s['progress.never']);
    await expect(page.locator('[data-summary]')).toHaveText(fill(s['progress.summary'], { passed: 0, started: 2, total: EXERCISES.length }));
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toBe(s['progress.reset.confirm']);
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: s['progress.reset.all'] }).click();
    await expect(state).toHaveText(s['progress.state.wrong']);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: s['progress.reset.all'] }).click();
    await expect(message).toHaveText(s['progress.reset.done']);
    await expect(state).toHaveText(s['progress.state.not-started']);
    expect(await page.evaluate(() => localStorage.getItem('realtime-lab.progress'))).toBeNull();
  });

  for (const theme of ['light', 'dark'] as const) {
    test(`(${l.lang}, ${theme}) the quiz (fresh, checked, restored) and the Progress page (with progress, after an import error) have no serious or critical axe violation`, async ({ page }) => {
      await page.addInitScript((value) => {
        if (window === window.top) localStorage.setItem('starlight-theme', value);
      }, theme);
      await page.goto(choosing);
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      await expectNoSeriousViolations(page, `${choosing} (${theme}), quiz fresh`);
      await answerQuiz(page, l, (scenario, index) => (index % 2 === 0 ? wrongFor(scenario.answer) : scenario.answer));
      await quizRoot(page).getByRole('button', { name: s['quiz.check'] }).click();
      await expect(quizRoot(page).locator('[data-result][data-state="failed"]').first()).toBeVisible();
      await expectNoSeriousViolations(page, `${choosing} (${theme}), quiz checked with wrong answers`);
      await page.reload();
      await expect(quizRoot(page).locator('[data-restored]')).toBeVisible();
      await expectNoSeriousViolations(page, `${choosing} (${theme}), quiz restored`);
      await page.goto(progressPage);
      await expect(page.locator('[data-exercise="choosing-quiz"]')).toHaveAttribute('data-state', 'wrong');
      await expectNoSeriousViolations(page, `${progressPage} (${theme}), with progress`);
      await page.locator('[data-rl-progress] input[type="file"]').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"version":2}') });
      await expect(page.locator('[data-message]')).toHaveAttribute('data-kind', 'error');
      await expectNoSeriousViolations(page, `${progressPage} (${theme}), after an import error`);
    });
  }
}

for (const url of ['/lessons/choosing/', '/zh-cn/progress/']) {
  test(`${url} ships at most 20 KB gzip of JavaScript before interaction, the quiz's or the Progress page's script included`, async ({ page }) => {
    const pending: Promise<number>[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script' && !/\/_astro\/ui-core\.|\/pagefind\//.test(response.url())) pending.push(response.body().then((body) => gzipSync(body, { level: 9 }).byteLength));
    });
    await page.goto(url, { waitUntil: 'networkidle' });
    await expect(page.locator('[data-rl-quiz], [data-rl-progress]').first()).toBeVisible();
    const inline = await page.evaluate(() => [...document.querySelectorAll('script:not([src])')].filter((script) => !script.getAttribute('type') || script.getAttribute('type') === 'module').map((script) => script.textContent ?? ''));
    const bytes = (await Promise.all(pending)).reduce((a, b) => a + b, 0) + inline.reduce((sum, source) => sum + gzipSync(source, { level: 9 }).byteLength, 0);
    test.info().annotations.push({ type: 'page JS before interaction (gzip)', description: `${bytes} B` });
    expect(bytes).toBeLessThanOrEqual(PAGE_JS_BUDGET);
  });
}
