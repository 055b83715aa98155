/**
 * The attendee's self-test: one quick round trip to the server with each technique, as the
 * lessons teach them, each given SELF_TEST_TIMEOUT_MS.
 */
import type { SelfTest, Technique, TechniqueResult } from '../../server/workshop/presence.ts';

/** How long each technique gets before it counts as failed. */
export const SELF_TEST_TIMEOUT_MS = 5000;
/** A built-in channel where nothing is published: the round trips carry no lesson's traffic. */
const CHANNEL = 'quiet-room';

/** Runs `attempt` until it settles or the timeout passes; `cleanup` closes what it opened. */
function timed(attempt: (done: (ok: boolean) => void) => () => void): Promise<TechniqueResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    let cleanup = () => {};
    const timer = setTimeout(() => finish(false), SELF_TEST_TIMEOUT_MS);
    function finish(ok: boolean): void {
      clearTimeout(timer);
      cleanup();
      resolve({ ok, ms: Math.min(Math.round(performance.now() - start), 60_000) });
    }
    try {
      cleanup = attempt(finish);
    } catch {
      finish(false);
    }
  });
}

function viaFetch(url: string, accept: (status: number) => boolean): Promise<TechniqueResult> {
  return timed((done) => {
    const controller = new AbortController();
    fetch(url, { signal: controller.signal, cache: 'no-store' }).then(
      (res) => res.arrayBuffer().then(() => done(accept(res.status))),
      () => done(false),
    );
    return () => controller.abort();
  });
}

const TESTS: Record<Technique, () => Promise<TechniqueResult>> = {
  poll: () => viaFetch(`/api/poll/${CHANNEL}`, (status) => status === 200),
  // Held one second at most: 204 says the server held it and answered, the long poll's round trip.
  longPoll: () => viaFetch(`/api/long-poll/${CHANNEL}?timeout=1`, (status) => status === 200 || status === 204),
  sse: () =>
    timed((done) => {
      const source = new EventSource(`/api/sse/${CHANNEL}`);
      // The stream's first event, `connected`, comes from the server: the whole way down works.
      source.addEventListener('connected', () => done(true));
      source.onerror = () => done(false);
      return () => source.close();
    }),
  websocket: () =>
    timed((done) => {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/echo`);
      const probe = `self-test ${Math.random()}`;
      ws.onopen = () => ws.send(probe);
      ws.onmessage = (event) => done(event.data === probe);
      ws.onerror = () => done(false);
      return () => ws.close();
    }),
};

/** Tries every technique, one after the other, so that they do not delay each other. */
export async function runSelfTest(): Promise<SelfTest> {
  const result: Partial<SelfTest> = {};
  for (const technique of Object.keys(TESTS) as Technique[]) result[technique] = await TESTS[technique]();
  return result as SelfTest;
}
