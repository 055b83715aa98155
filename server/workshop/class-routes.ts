/**
 * The instructor's controls over the whole class, mounted under /api/workshop/instructor (so
 * behind the token), beside `POST /notices`:
 *
 *   GET  /api/workshop/instructor/class       { notice, move, solutions, noticeMaxChars }: the class's state
 *   POST /api/workshop/instructor/move        { path }: every attendee who follows goes to that page (`event: move`)
 *   PUT  /api/workshop/instructor/solutions   { locked }: lock or reveal the exercises' solutions (`event: solutions`)
 */
import express from 'express';
import type { ServerContext } from '../context.ts';
import { checkLocked, checkPagePath, type ClassState } from './class-state.ts';
import type { Workshop } from './presence.ts';

/** The routes of the class's controls; `readBody` is the workshop API's JSON body reader. */
export function createClassRoutes(ctx: ServerContext, workshop: Workshop, classState: ClassState, readBody: (req: express.Request, res: express.Response) => Promise<unknown>): express.Router {
  const router = express.Router();
  router.get('/class', (_req, res) => {
    res.json({ ...classState.current(), noticeMaxChars: ctx.config.workshopNoticeMaxChars });
  });
  router.post('/move', async (req, res) => {
    const body = (await readBody(req, res)) as { path?: unknown } | null;
    const path = await checkPagePath(body?.path, ctx.config.siteDir);
    // Strictly later than the last move: attendees tell a move they have not followed yet by its `at`.
    const move = { path, at: Math.max(Date.now(), (classState.current().move?.at ?? 0) + 1) };
    const id = workshop.broadcast('move', move);
    res.status(201).json({ move: { id, ...move } });
  });
  router.put('/solutions', async (req, res) => {
    const locked = checkLocked(await readBody(req, res));
    const solutions = { locked, at: Date.now() };
    const id = workshop.broadcast('solutions', solutions);
    res.json({ solutions: { id, ...solutions } });
  });
  return router;
}
