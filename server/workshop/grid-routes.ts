/**
 * The class grid's part of the workshop API, mounted inside /api/workshop (routes.ts), after the
 * instructor's token check:
 *
 *   POST   /attendees/:id/page               { path, title }: the page the attendee opened; answers { hand }
 *   POST   /attendees/:id/results            { exercise, state, failing }: one exercise Check
 *   POST   /attendees/:id/hand               { exercise?, code, failing, page }: raise (or update) the hand
 *   DELETE /attendees/:id/hand               lower it
 *   GET    /instructor/grid                  attendees, pages, cells, common failing checks, help queue
 *   POST   /instructor/hands/:hand/answered  take a hand out of the queue; broadcasts `hand-answered { hand }`
 *   GET    /instructor/export.csv            the grid, one row per attendee and exercise (attachment)
 *   GET    /instructor/export.json           the same, with the common failing checks and the queue
 */
import express from 'express';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { ClassGrid, checkHand, checkPageReport, checkResultReport } from './grid.ts';
import { gridCsv, gridJson } from './grid-export.ts';
import { checkAttendeeId, type Workshop } from './presence.ts';

/** Made once per workshop by routes.ts: creates the class grid and keeps it across restarts. */
export function createGridRoutes(ctx: ServerContext, workshop: Workshop): express.Router {
  const grid = new ClassGrid();
  workshop.keep('grid', grid);
  const router = express.Router();
  const maxBodyBytes = ctx.config.maxMessageBytes;
  // A hand carries code: its body may hold WORKSHOP_HAND_CODE_MAX_BYTES of it, escaped as JSON.
  const maxHandBytes = Math.max(maxBodyBytes, 2 * ctx.config.workshopHandCodeMaxBytes + 4096);
  const parser = (limit: number) => express.json({ limit, strict: false, type: () => true });
  const parseSmall = parser(maxBodyBytes);
  const parseHand = parser(maxHandBytes);
  function readBody(req: express.Request, res: express.Response, parse = parseSmall, limit = maxBodyBytes): Promise<unknown> {
    return new Promise((resolve, reject) => {
      parse(req, res, (error?: unknown) => {
        if (!error) resolve(req.body);
        else reject(new ApiError(400, 'INVALID_JSON', `the body must be JSON of at most ${limit} bytes${limit === maxBodyBytes ? ' (MAX_MESSAGE_BYTES)' : ''}; ${(error as Error).message}`));
      });
    });
  }
  /** The attendee of `:id`, who must have joined (404 otherwise). */
  function attendeeOf(req: express.Request): string {
    const id = checkAttendeeId(String(req.params.id));
    workshop.joinedName(id);
    return id;
  }
  function changed(): void {
    // The grid is bounded as the roster is (WORKSHOP_MAX_ATTENDEES): attendees the workshop forgot
    // to make room leave the grid too, and one who comes back starts afresh, as on the roster.
    grid.forgetAllBut(new Set(workshop.roster().map((a) => a.id)));
    workshop.changed();
  }
  const handOut = (hand: { id: string; exercise: string | null; raisedAt: number } | undefined) => (hand ? { id: hand.id, exercise: hand.exercise, raisedAt: hand.raisedAt } : null);

  router.post('/attendees/:id/page', async (req, res) => {
    const id = attendeeOf(req);
    grid.recordPage(id, checkPageReport(await readBody(req, res)));
    changed();
    res.json({ hand: handOut(grid.handOf(id)) });
  });
  router.post('/attendees/:id/results', async (req, res) => {
    const id = attendeeOf(req);
    const cell = grid.recordResult(id, checkResultReport(await readBody(req, res)));
    changed();
    res.status(201).json({ cell: { state: cell.state, attempts: cell.attempts } });
  });
  router.post('/attendees/:id/hand', async (req, res) => {
    const id = attendeeOf(req);
    const { hand, raised } = grid.raiseHand(id, checkHand(await readBody(req, res, parseHand, maxHandBytes), ctx.config.workshopHandCodeMaxBytes));
    changed();
    res.status(raised ? 201 : 200).json({ hand: handOut(hand) });
  });
  router.delete('/attendees/:id/hand', (req, res) => {
    const id = attendeeOf(req);
    if (grid.lowerHand(id)) changed();
    res.status(204).end();
  });

  router.get('/instructor/grid', (_req, res) => {
    res.json(grid.view(workshop.roster()));
  });
  router.post('/instructor/hands/:hand/answered', (req, res) => {
    const hand = grid.answerHand(String(req.params.hand));
    // To everyone (the one channel down); the page whose hand it was puts its button back.
    workshop.broadcast('hand-answered', { hand: hand.id });
    changed();
    res.status(204).end();
  });
  const fileName = (ext: string) => `workshop-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-')}.${ext}`;
  router.get('/instructor/export.csv', (_req, res) => {
    res.setHeader('Content-Disposition', `attachment; filename="${fileName('csv')}"`);
    // A byte-order mark: spreadsheets then read the names as UTF-8.
    res.type('text/csv; charset=utf-8').send(`\uFEFF${gridCsv(grid.view(workshop.roster()))}`);
  });
  router.get('/instructor/export.json', (_req, res) => {
    res.setHeader('Content-Disposition', `attachment; filename="${fileName('json')}"`);
    res.type('application/json; charset=utf-8').send(`${JSON.stringify(gridJson(grid.view(workshop.roster()), Date.now()), null, 2)}\n`);
  });
  return router;
}
