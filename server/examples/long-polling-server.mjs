// Long polling with nothing but node:http. GET /poll?since=N waits for the messages after the
// first N; POST /publish appends one. Run it with `node long-polling-server.mjs`.
import http from 'node:http';

const HOLD_MS = Number(process.env.HOLD_MS ?? 25_000); // under every proxy's idle timeout
const messages = []; // the history; a cursor is how many messages you have seen
const waiting = new Set(); // held requests: { res, since }

function answer(res, since) {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify({ messages: messages.slice(since), cursor: messages.length }));
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (req.method === 'POST' && url.pathname === '/publish') {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      messages.push(body);
      for (const { res: held, since } of waiting) answer(held, since); // all at once
      waiting.clear();
      res.writeHead(204).end();
    });
  } else if (req.method === 'GET' && url.pathname === '/poll') {
    const since = Number(url.searchParams.get('since') ?? messages.length);
    if (!Number.isInteger(since) || since < 0) return res.writeHead(400).end();
    if (since < messages.length) return answer(res, since); // news already: no wait
    const waiter = { res, since };
    waiting.add(waiter);
    const timer = setTimeout(() => { waiting.delete(waiter); res.writeHead(204).end(); }, HOLD_MS);
    // Answered, timed out, or the client went away: forget the waiter either way.
    res.on('close', () => { clearTimeout(timer); waiting.delete(waiter); });
  } else {
    res.writeHead(404).end();
  }
});

server.listen(Number(process.env.PORT ?? 8080), () => {
  console.log(`long polling on http://localhost:${server.address().port}/poll`);
});
