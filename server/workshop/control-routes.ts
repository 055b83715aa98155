/**
 * The control part of the workshop API (mounted by routes.ts, under /api/workshop):
 *
 *   GET  /instructor/events        SSE for the dashboard: `presence` at every change, `wire`
 *                                  (the control channel's traffic) and `ping` (the latency spread)
 *   POST /instructor/ping          "ping the room": broadcasts `ping { id, sentAt }`; 201 { ping }
 *   GET  /instructor/ping          the latest ping's spread ({ ping: null } before the first)
 *   POST /attendees/:id/pong       { ping }: an attendee's answer (or the frame { type: 'pong', ping })
 *
 * The control channel over WebSocket, GET /api/workshop/attendees/:id/ws, is an upgrade:
 * routing.ts hands it to `Workshop.openControlSocket`. `tapUpPosts` shows every attendee's POST
 * on the wire view.
 */
import express from 'express';
import type { ServerContext } from '../context.ts';
import { WIRE_HEADERS } from './control-wire.ts';
import { RoomPing } from './ping.ts';
import { checkAttendeeId, type Workshop } from './presence.ts';

const ATTENDEE_POST = /^\/attendees\/([^/]+)\/[^/]+$/;

/** Shows each attendee's POST (request line without the attendee's id, content headers, JSON body as parsed, status) on the wire view once answered. */
export function tapUpPosts(state: Workshop): express.RequestHandler {
  return (req, res, next) => {
    const match = req.method === 'POST' ? ATTENDEE_POST.exec(req.path) : null;
    if (match) {
      res.on('finish', () => {
        const headers = WIRE_HEADERS.filter((name) => req.headers[name] !== undefined).map((name) => `${name}: ${req.headers[name]}`);
        state.wire.up({
          transport: 'post',
          attendee: state.nameOf(match[1] as string),
          // The attendee's id stays off the screen: it is what lets a page speak as that attendee.
          head: [`POST ${req.baseUrl}${req.path.replace(match[1] as string, ':id')} → ${res.statusCode}`, ...headers].join('\n'),
          body: req.body === undefined ? '' : JSON.stringify(req.body),
        });
      });
    }
    next();
  };
}

export function createControlRoutes(ctx: ServerContext, state: Workshop, readBody: (req: express.Request, res: express.Response) => Promise<unknown>): express.Router {
  const router = express.Router();
  const ping = new RoomPing(state, ctx.config.workshopPingWindowMs);
  router.get('/instructor/events', (req, res) => {
    state.openInstructorEvents(req, res);
  });
  router.post('/instructor/ping', (_req, res) => {
    res.status(201).json({ ping: ping.start() });
  });
  router.get('/instructor/ping', (_req, res) => {
    res.json({ ping: ping.spread() });
  });
  router.post('/attendees/:id/pong', async (req, res) => {
    const id = checkAttendeeId(String(req.params.id));
    state.checkJoined(id);
    ping.answer(id, await readBody(req, res));
    res.status(204).end();
  });
  return router;
}
