const BASE_MS = 300;
const CAP_MS = 5000;
const seen = new Set();
let lastId = null;
let attempt = 0;
let stopped = false;

function open() {
  const query = lastId === null ? '' : `?since=${encodeURIComponent(lastId)}`;
  const socket = new WebSocket(`/api/ws/${CHANNEL}${query}`);
  socket.onmessage = (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type !== 'message') return;
    attempt = 0; // this connection works: the next drop starts the backoff afresh
    const { id, type } = frame.message;
    if (seen.has(id)) return;
    seen.add(id);
    lastId = id;
    if (type === 'stop') {
      stopped = true;
      socket.close(1000, 'done');
      console.log('done');
      return;
    }
    console.log(id);
  };
  socket.onclose = (event) => {
    if (stopped || event.code === 1000) return;
    // 300 ms, 600 ms, 1.2 s ... up to 5 s, with up to 50% jitter.
    const delay = Math.min(CAP_MS, BASE_MS * 2 ** attempt++) * (1 + Math.random() / 2);
    console.log(`closed with ${event.code}; reconnecting in ${Math.round(delay)} ms from ${lastId}`);
    setTimeout(open, delay);
  };
}
open();
