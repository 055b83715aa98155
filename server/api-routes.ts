/**
 * The routes served through Express: publishing, the runs API, health, stats, and the built
 * site. The held and frequent GETs (poll, long-poll, SSE) never come here (routing.ts).
 */
import express from 'express';
import type { ServerContext } from './context.ts';
import { ApiError, sendError } from './errors.ts';
import { sendJson } from './http.ts';
import { createPublishHandler } from './publish.ts';
import { createSiteRouter } from './site.ts';
import type { Workshop } from './workshop/presence.ts';
import { createInstructorPageGate } from './workshop/instructor-page.ts';
import { createWorkshopRoutes } from './workshop/routes.ts';

/** `workshop`: the attendees and the instructor's token in workshop mode; undefined when it is off. */
export function createApiRoutes(ctx: ServerContext, workshop?: { state: Workshop; token: string }): express.Express {
  const { log, stats } = ctx;
  const handlePublish = createPublishHandler(ctx);
  const app = express();
  app.disable('x-powered-by');
  app.use('/api', (req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const withRun = ctx.runs.hasRun(req);
    ctx.origins.applyCors(req, res, withRun);
    if (req.method === 'OPTIONS') ctx.origins.preflight(req, res, withRun);
    else next();
  });
  app.post('/api/channels/:channel/messages', (req, res) => handlePublish(req, res, req.params.channel));
  app.use('/api/runs', ctx.runs.routes.router);
  app.use('/api/workshop', createWorkshopRoutes(ctx, workshop));
  app.get('/api/health', async (_req, res) => {
    const health = ctx.closing ? { ok: false, reason: 'shutting down' } : await log.health();
    sendJson(res, health.ok ? 200 : 503, JSON.stringify(health), { 'Cache-Control': 'no-store' });
  });
  app.get('/api/stats', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({
      log: log.kind,
      instance: ctx.instanceName,
      uptimeS: Math.round(process.uptime()),
      channels: log.channelCount(),
      ...(log.storedBytes ? { storedBytes: log.storedBytes() } : {}),
      open: { ...stats.open, total: ctx.gate.total },
      runs: ctx.runs.registry.size,
      requests: stats.requests,
      messages: stats.messages,
      disconnected: stats.disconnected,
    });
  });
  app.use('/api', (req) => {
    throw new ApiError(404, 'NOT_FOUND', `no API endpoint at ${req.method} ${req.originalUrl.split('?')[0]}; see /reference/api/ for the endpoints`);
  });
  // In workshop mode the instructor's dashboard pages answer 403 without the instructor's cookie.
  if (workshop) app.use(createInstructorPageGate(workshop.token));
  app.use(createSiteRouter(ctx.config.siteDir));
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    // A malformed %-escape in a route parameter arrives here as a URIError: a 400, not a 500.
    sendError(res, error);
  });
  return app;
}
