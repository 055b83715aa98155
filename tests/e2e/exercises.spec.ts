/**
 * The lessons' exercises, as a reader uses them in Chromium: for every code exercise of the
 * catalog, on its lesson page in English and in Chinese at once (one browser context each), the
 * starter's Check fails at least one check and offers that check's hint, and the reference
 * solution, put in the editor through "Show solution" then "Use this solution", passes every
 * check. Then: progress comes back after a reload with its notice, a server that does not answer
 * gives the unreachable state, and the exercises pass against a server with the default limits.
 */
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { EXERCISES, type CodeExercise } from '../../src/exercises/catalog.ts';
import { startPrivateServer } from './helpers.ts';

test.describe.configure({ mode: 'parallel' });

const CODE_EXERCISES = EXERCISES.filter((exercise): exercise is CodeExercise => exercise.kind === 'code');
/** A Check's own time bound, plus room for the page to start it and show the verdict. */
const VERDICT_SLACK_MS = 10_000;

function lessonUrl(exercise: CodeExercise, lang: 'en' | 'zh-cn'): string {
  return `${lang === 'en' ? '' : '/zh-cn'}/lessons/${exercise.lesson}/`;
}

function exerciseOn(page: Page, id: string): Locator {
  return page.locator(`[data-rl-exercise][data-id="${id}"]`);
}

function button(exercise: Locator, action: string): Locator {
  return exercise.locator(`button[data-action="${action}"]`).first();
}

/** Presses Check and waits for the verdict; answers the summary's state. */
async function check(exercise: Locator, spec: CodeExercise): Promise<string> {
  const finished = Number((await exercise.getAttribute('data-finished')) ?? 0);
  await button(exercise, 'check').click();
  await expect(exercise).toHaveAttribute('data-finished', String(finished + 1), { timeout: spec.timeBoundMs + VERDICT_SLACK_MS });
  const summary = exercise.locator('.rl-ex-summary');
  await expect(summary).toBeVisible();
  return (await summary.getAttribute('data-state')) ?? '';
}

/** The reference solution into the editor, as a reader does it: Show solution, then Use this solution. */
async function useSolution(exercise: Locator): Promise<void> {
  await button(exercise, 'solution').click();
  const diff = exercise.locator('[data-diff]');
  await expect(diff).toBeVisible();
  await expect(diff.locator('.rl-ex-dl[data-kind="added"]').first()).toBeVisible();
  await diff.locator('button[data-action="use-solution"]').click();
  await expect(diff).toBeHidden();
  await expect(exercise.locator('.cm-editor')).toBeVisible();
}

async function starterFailsSolutionPasses(page: Page, spec: CodeExercise, lang: 'en' | 'zh-cn'): Promise<void> {
  // The Progress page links to each exercise by this anchor.
  await page.goto(`${lessonUrl(spec, lang)}#exercise-${spec.id}`);
  const exercise = exerciseOn(page, spec.id);
  await expect(exercise).toHaveAttribute('id', `exercise-${spec.id}`);
  await expect(exercise).toBeInViewport();

  const starterState = await check(exercise, spec);
  const verdicts = (await exercise.locator('.rl-ex-check').allTextContents()).join(' | ');
  expect(starterState, `${spec.id} (${lang}): the starter must not pass; checks: ${verdicts}`).not.toBe('passed');
  expect(starterState).not.toBe('unreachable');
  const failed = exercise.locator('.rl-ex-check[data-state="failed"]');
  expect(await failed.count(), `${spec.id} (${lang}): at least one check fails`).toBeGreaterThan(0);
  // The failed check offers its hint; it opens in the reader's language.
  const toggle = failed.first().locator('.rl-ex-hint-toggle');
  await expect(toggle).toBeVisible();
  await expect(button(exercise, 'hint')).toBeEnabled();
  await toggle.click();
  await expect(failed.first().locator('.rl-ex-hint')).toBeVisible();
  if (lang === 'zh-cn') await expect(failed.first().locator('.rl-ex-hint')).toHaveText(/[\u4e00-\u9fff]/);
  // Passed checks offer none.
  await expect(exercise.locator('.rl-ex-check[data-state="passed"] .rl-ex-hint-toggle')).toHaveCount(0);

  await useSolution(exercise);
  const solutionState = await check(exercise, spec);
  const failures = await exercise.locator('.rl-ex-check[data-state="failed"]').allTextContents();
  const output = await exercise.locator('[data-output]').innerText();
  expect(solutionState, `${spec.id} (${lang}): the solution passes; failed: ${failures.join(' | ')}\noutput:\n${output}`).toBe('passed');
  await expect(exercise.locator('.rl-ex-check[data-state="passed"]')).toHaveCount(spec.checks.length);
  await expect(button(exercise, 'hint')).toBeDisabled();
}

/** The same exercise in English and Chinese at once, each in a context of its own (its own connections). */
async function inBothLanguages(browser: Browser, page: Page, run: (page: Page, lang: 'en' | 'zh-cn') => Promise<void>): Promise<void> {
  const context = await browser.newContext({ baseURL: String(process.env.RL_E2E_BASE_URL) });
  try {
    const zhPage = await context.newPage();
    await Promise.all([run(page, 'en'), run(zhPage, 'zh-cn')]);
  } finally {
    await context.close();
  }
}

// The longest test first, so that the others run beside it rather than after it.
test('every solution passes against a server with the default limits (20 publishes a second, bursts of 40, per address)', async ({ page }) => {
  test.setTimeout(CODE_EXERCISES.reduce((sum, spec) => sum + spec.timeBoundMs + VERDICT_SLACK_MS, 0));
  const server = await startPrivateServer();
  try {
    for (const spec of CODE_EXERCISES) {
      await page.goto(`${server.url}${lessonUrl(spec, 'en')}`);
      const exercise = exerciseOn(page, spec.id);
      await useSolution(exercise);
      const failures = async () => (await exercise.locator('.rl-ex-check[data-state="failed"]').allTextContents()).join(' | ');
      expect(await check(exercise, spec), `${spec.id}: ${await failures()}`).toBe('passed');
    }
  } finally {
    await server.close();
  }
});

for (const spec of CODE_EXERCISES) {
  test(`${spec.id}: the starter fails a check and offers its hint, and the solution passes every check, in English and Chinese`, async ({ browser, page }) => {
    test.setTimeout(2 * (spec.timeBoundMs + VERDICT_SLACK_MS) + 20_000);
    await inBothLanguages(browser, page, (tab, lang) => starterFailsSolutionPasses(tab, spec, lang));
  });
}

const NOTICE = { en: /Restored your code and results/, 'zh-cn': /已恢复你在.*的代码和检查结果/ } as const;

test('a reader who comes back finds their code and results restored, with a notice that offers Reset, in English and Chinese', async ({ browser, page }) => {
  const spec = CODE_EXERCISES.find((exercise) => exercise.id === 'ws-close-reason') as CodeExercise;
  test.setTimeout(2 * (spec.timeBoundMs + VERDICT_SLACK_MS) + 30_000);
  await inBothLanguages(browser, page, async (tab, lang) => {
    await tab.goto(lessonUrl(spec, lang));
    const exercise = exerciseOn(tab, spec.id);
    await expect(exercise.locator('[data-restored]')).toBeHidden();
    // An edit of the reader's own, then a Check of it.
    await exercise.locator('[data-code-host] pre').click();
    await expect(exercise.locator('.cm-content')).toBeFocused();
    await tab.keyboard.press('ControlOrMeta+Home');
    await tab.keyboard.insertText('// my first try\n');
    expect(await check(exercise, spec)).not.toBe('passed');
    const failedBefore = await exercise.locator('.rl-ex-check[data-state="failed"]').count();

    await tab.reload();
    const restored = exerciseOn(tab, spec.id);
    await expect(restored.locator('[data-restored]')).toBeVisible();
    await expect(restored.locator('[data-restored]')).toContainText(NOTICE[lang]);
    await expect(restored.locator('.cm-content')).toContainText('// my first try');
    await expect(restored.locator('.rl-ex-check[data-state="failed"]')).toHaveCount(failedBefore);
    await expect(restored.locator('.rl-ex-attempts')).toContainText('1');

    // "Reset?" asks first (the code differs from the starter), then forgets it all.
    tab.once('dialog', (dialog) => void dialog.accept());
    await restored.locator('[data-restored] button[data-action="reset"]').click();
    await expect(restored.locator('[data-restored]')).toBeHidden();
    await expect(restored.locator('.rl-ex-check')).toHaveCount(0);
    await expect(restored.locator('.cm-content')).not.toContainText('// my first try');
    await tab.reload();
    await expect(exerciseOn(tab, spec.id).locator('[data-restored]')).toBeHidden();
    await expect(exerciseOn(tab, spec.id).locator('[data-code-host] pre')).not.toContainText('// my first try');
  });
});

test('a Check says the server is unreachable when it does not answer, in words of its own', async ({ page }) => {
  const server = await startPrivateServer();
  const spec = CODE_EXERCISES.find((exercise) => exercise.id === 'ws-binary-echo') as CodeExercise;
  try {
    await page.goto(`${server.url}${lessonUrl(spec, 'en')}`);
    const exercise = exerciseOn(page, spec.id);
    // The exercise's script and the editor load while the server is there.
    await useSolution(exercise);
  } finally {
    await server.close();
  }
  const exercise = exerciseOn(page, spec.id);
  expect(await check(exercise, spec)).toBe('unreachable');
  await expect(exercise.locator('.rl-ex-summary')).toContainText('The companion server does not answer');
  await expect(exercise.locator('.rl-ex-check')).toHaveCount(0);
});

test('Run shows the code\'s output under the Check\'s conditions, without a verdict, in English and Chinese', async ({ browser, page }) => {
  const spec = CODE_EXERCISES.find((exercise) => exercise.id === 'ws-binary-echo') as CodeExercise;
  await inBothLanguages(browser, page, async (tab, lang) => {
    await tab.goto(lessonUrl(spec, lang));
    const exercise = exerciseOn(tab, spec.id);
    await useSolution(exercise);
    await button(exercise, 'run').click();
    await expect(exercise).toHaveAttribute('data-finished', '1', { timeout: spec.timeBoundMs + VERDICT_SLACK_MS });
    await expect(exercise.locator('[data-output]')).toContainText('ArrayBuffer 16');
    await expect(exercise.locator('[data-output]')).toContainText('done');
    await expect(exercise.locator('[data-notice]')).toContainText(lang === 'en' ? 'Your code logged done' : '你的代码在');
    await expect(exercise.locator('.rl-ex-summary')).toHaveCount(0);
  });
});

test('the keyboard reaches the code: focusing it opens the editor there, Control+Enter runs it, and Check keeps the focus', async ({ page }) => {
  const spec = CODE_EXERCISES.find((exercise) => exercise.id === 'ws-binary-echo') as CodeExercise;
  await page.goto(lessonUrl(spec, 'en'));
  const exercise = exerciseOn(page, spec.id);
  await exercise.locator('[data-code-host] pre').focus();
  await expect(exercise.locator('.cm-content')).toBeFocused();
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(exercise).toHaveAttribute('data-finished', '1', { timeout: spec.timeBoundMs + VERDICT_SLACK_MS });
  await expect(exercise.locator('[data-output-panel]')).toBeVisible();
  // Check keeps the keyboard's focus while it runs and after.
  await button(exercise, 'check').focus();
  await page.keyboard.press('Enter');
  await expect(exercise).toHaveAttribute('data-busy', 'checking');
  await expect(button(exercise, 'check')).toBeFocused();
  await expect(exercise).toHaveAttribute('data-finished', '2', { timeout: spec.timeBoundMs + VERDICT_SLACK_MS });
  await expect(button(exercise, 'check')).toBeFocused();
});
