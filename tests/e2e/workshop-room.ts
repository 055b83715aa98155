/**
 * A workshop room for the browser tests: a private workshop server, one instructor and five
 * attendees, each attendee a browser context of its own (its own storage, as on its own
 * laptop), joined under a name in the page's language. Every page is watched for requests to
 * any origin but the server's.
 */
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { WORKSHOP_STRINGS } from '../../src/workshop/strings.ts';
import { startPrivateServer } from './helpers.ts';
import type { Config } from '../../server/config.ts';

export const ROOM_TOKEN = 'e2e-instructor-token-0123456789';

/** The two languages a room runs in: the page prefix and the attendee part's strings. */
export const ROOM_LANGUAGES = [
  { lang: 'en', prefix: '/', t: WORKSHOP_STRINGS.en, names: ['Ada', 'Grace', 'Alan', 'Barbara', 'Edsger'] },
  { lang: 'zh-cn', prefix: '/zh-cn/', t: WORKSHOP_STRINGS['zh-CN'], names: ['李雷', '韩梅梅', '王芳', '张伟', '刘洋'] },
] as const;
export type RoomLanguage = (typeof ROOM_LANGUAGES)[number];

export interface Room {
  url: string;
  instructor: Page;
  attendees: Page[];
  /** Requests any page made to another origin: a test ends with `expect(room.foreign).toEqual([])`. */
  foreign: string[];
  close(): Promise<void>;
}

/** Collects every request a page makes to an origin other than `own`. */
export function watchOrigins(page: Page, own: string, foreign: string[]): void {
  page.on('request', (request) => {
    if (!request.url().startsWith('data:') && !request.url().startsWith('blob:') && new URL(request.url()).origin !== own) foreign.push(request.url());
  });
  page.on('websocket', (socket) => {
    if (new URL(socket.url()).origin.replace(/^ws/, 'http') !== own) foreign.push(socket.url());
  });
}

/** An attendee in a browser of their own: opens `path` (under the language's prefix) and joins under `name`. */
export async function joinAs(context: BrowserContext, url: string, language: RoomLanguage, path: string, name: string, foreign: string[]): Promise<Page> {
  const page = await context.newPage();
  watchOrigins(page, new URL(url).origin, foreign);
  await page.goto(`${url}${language.prefix}${path}`);
  const panel = page.getByRole('region', { name: language.t.joinTitle });
  await panel.getByLabel(language.t.joinLabel).fill(name);
  await panel.getByRole('button', { name: language.t.joinButton }).click();
  await expect(panel.getByRole('status')).toHaveText(language.t.joined(name));
  return page;
}

/** Opens the instructor's dashboard with the link's token (which the server exchanges for a cookie), in `context`. */
export async function openInstructor(context: BrowserContext, url: string, language: RoomLanguage, foreign: string[]): Promise<Page> {
  const page = await context.newPage();
  watchOrigins(page, new URL(url).origin, foreign);
  await page.goto(`${url}${language.prefix}workshop/instructor/?token=${ROOM_TOKEN}`);
  await expect(page.locator('[data-live]')).toBeVisible();
  return page;
}

/**
 * Starts a workshop server and fills a room: the instructor's dashboard, then five attendees
 * who join on `path` (a page under the language's prefix, such as `lessons/sse/`).
 */
export async function openRoom(browser: Browser, language: RoomLanguage, path = 'lessons/sse/', overrides: Partial<Config> = {}): Promise<Room> {
  const server = await startPrivateServer({ workshop: true, workshopToken: ROOM_TOKEN, ...overrides });
  const foreign: string[] = [];
  const contexts: BrowserContext[] = [];
  const newContext = async () => {
    const context = await browser.newContext();
    contexts.push(context);
    return context;
  };
  const instructor = await openInstructor(await newContext(), server.url, language, foreign);
  const attendees: Page[] = [];
  for (const name of language.names) attendees.push(await joinAs(await newContext(), server.url, language, path, name, foreign));
  await expect(instructor.locator('[data-count]')).toHaveText(String(language.names.length));
  return {
    url: server.url,
    instructor,
    attendees,
    foreign,
    async close() {
      for (const context of contexts) await context.close();
      await server.close();
    },
  };
}
