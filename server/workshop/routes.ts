/**
 * The workshop API, all under /api/workshop:
 *
 *   GET  /api/workshop                          { workshop: true, nameMaxChars } (404 WORKSHOP_OFF when off)
 *   PUT  /api/workshop/attendees/:id            { name }: join, or come back under a new name
 *   GET  /api/workshop/attendees/:id/control    the attendee's control stream (SSE): its presence
 *   POST /api/workshop/attendees/:id/self-test  { poll, longPoll, sse, websocket }, each { ok, ms }
 *   GET  /api/workshop/presence                 SSE: `presence` events with the count and self-test tally
 *   GET  /api/workshop/join-qr.svg              the QR code of the join URL, for the Host it was asked on
 *   GET  /api/workshop/instructor/attendees     names and self-tests (Authorization: Bearer <token>)
 *   POST /api/workshop/instructor/notices       { text }: a notice to every attendee's control stream (`event: notice`)
 *   ... and the control part: instructor events, ping the room, pong (control-routes.ts)
 *   GET, POST, PUT /api/workshop/instructor/class, move, solutions: the class's controls (class-routes.ts)
 *   ...                                         the class grid, the help queue and the export: grid-routes.ts
 *   POST /api/workshop/instructor/faults        { fault, ... }: a fault on every live run, then `event: fault` (class-faults.ts)
 *
 * When workshop mode is off, every one of them is a 404 that says how to turn it on.
 */
import express from 'express';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { createControlRoutes, tapUpPosts } from './control-routes.ts';
import { checkAttendeeId, checkName, checkNotice, checkSelfTest, type Workshop } from './presence.ts';
import { createClassFaultRoutes } from './class-faults.ts';
import { svgQr } from './qr.ts';
import { createClassRoutes } from './class-routes.ts';
import { ClassState } from './class-state.ts';
import { checkInstructor } from './token.ts';
import { createGridRoutes } from './grid-routes.ts';

export function createWorkshopRoutes(ctx: ServerContext, workshop: { state: Workshop; token: string } | undefined): express.Router {
  const router = express.Router();
  if (!workshop) {
    router.use(() => {
      throw new ApiError(404, 'WORKSHOP_OFF', 'workshop mode is off on this server; start it with `npm start -- --host 0.0.0.0 --workshop` (or WORKSHOP=1)');
    });
    return router;
  }
  const { state, token } = workshop;
  // The largest body is MAX_MESSAGE_BYTES, as for the runs API: a name or a self-test fits in far less.
  const maxBodyBytes = ctx.config.maxMessageBytes;
  const parseJson = express.json({ limit: maxBodyBytes, strict: false, type: () => true });
  function readBody(req: express.Request, res: express.Response): Promise<unknown> {
    return new Promise((resolve, reject) => {
      parseJson(req, res, (error?: unknown) => {
        if (!error) resolve(req.body);
        else reject(new ApiError(400, 'INVALID_JSON', `the body must be JSON of at most ${maxBodyBytes} bytes (MAX_MESSAGE_BYTES); ${(error as Error).message}`));
      });
    });
  }

  router.use((req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    // Attendees, the projector and the instructor are pages of this site: a sandbox frame
    // (Origin: null) or another site has no business here.
    if (!ctx.origins.allows(req)) throw ctx.origins.refusal(req, 'the workshop API');
    next();
  });
  router.use(tapUpPosts(state));
  router.get('/', (_req, res) => {
    res.json({ workshop: true, nameMaxChars: ctx.config.workshopNameMaxChars });
  });
  router.put('/attendees/:id', async (req, res) => {
    const id = checkAttendeeId(String(req.params.id));
    const body = (await readBody(req, res)) as { name?: unknown } | null;
    const name = checkName(body?.name, ctx.config.workshopNameMaxChars);
    res.json({ attendee: state.join(id, name) });
  });
  router.get('/attendees/:id/control', (req, res) => {
    state.openControl(req, res, String(req.params.id));
  });
  router.post('/attendees/:id/self-test', async (req, res) => {
    const id = checkAttendeeId(String(req.params.id));
    state.recordSelfTest(id, checkSelfTest(await readBody(req, res)));
    res.status(204).end();
  });
  router.get('/presence', (req, res) => {
    state.openPresence(req, res);
  });
  router.get('/join-qr.svg', async (req, res) => {
    // The Host header has passed the host policy (routing.ts), so it names this server.
    const url = `http://${req.headers.host ?? 'localhost'}/`;
    res.type('image/svg+xml').send(await svgQr(url, `QR code: ${url}`));
  });
  router.use('/instructor', (req, _res, next) => {
    checkInstructor(req, token);
    next();
  });
  router.get('/instructor/attendees', (_req, res) => {
    res.json({ summary: state.summary(), attendees: state.attendees() });
  });
  router.post('/instructor/notices', async (req, res) => {
    const body = (await readBody(req, res)) as { text?: unknown } | null;
    const text = checkNotice(body?.text, ctx.config.workshopNoticeMaxChars);
    const id = state.broadcast('notice', { text, at: Date.now() });
    res.status(201).json({ notice: { id, text } });
  });
  router.use(createControlRoutes(ctx, state, readBody));
  router.use('/instructor', createClassRoutes(ctx, state, new ClassState(state), readBody));
  router.use(createGridRoutes(ctx, state));
  router.use('/instructor/faults', createClassFaultRoutes(ctx, state, readBody));
  router.use((req) => {
    throw new ApiError(404, 'NOT_FOUND', `no workshop endpoint at ${req.method} /api/workshop${req.path}; see /guides/self-hosting/ for workshop mode`);
  });
  return router;
}
