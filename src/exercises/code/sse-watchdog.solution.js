const SILENCE_MS = 1000; // a message comes every 150 ms: a second of nothing means trouble
const seen = new Set();
let lastId = null;
let source;
let timer;

// Restarted by every message: it fires only when the stream has gone quiet.
function watch() {
  clearTimeout(timer);
  timer = setTimeout(() => {
    console.log(`nothing for ${SILENCE_MS} ms: reconnecting`);
    source.close();
    open();
  }, SILENCE_MS);
}

function open() {
  // A new EventSource cannot set Last-Event-ID itself: pass the last id in the URL.
  const query = lastId === null ? '' : `?lastEventId=${encodeURIComponent(lastId)}`;
  source = new EventSource(`/api/sse/${CHANNEL}${query}`);
  source.onmessage = (event) => {
    watch();
    if (seen.has(event.lastEventId)) return;
    seen.add(event.lastEventId);
    lastId = event.lastEventId;
    console.log(event.lastEventId);
  };
  source.addEventListener('stop', () => {
    clearTimeout(timer);
    source.close();
    console.log('done');
  });
}
open();
