const BASE_MS = 100;
const CAP_MS = 800;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let cursor = null;
let stopped = false;
let failures = 0;

while (!stopped) {
  const since = cursor === null ? '' : `&since=${encodeURIComponent(cursor)}`;
  try {
    const response = await fetch(`/api/long-poll/${CHANNEL}?timeout=5${since}`);
    if (response.status === 204) {
      failures = 0; // a timeout is a success: ask again at once
      continue;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const page = await response.json();
    for (const message of page.messages) {
      if (message.type === 'stop') stopped = true;
      else console.log(message.id);
    }
    cursor = page.cursor;
    failures = 0;
  } catch (error) {
    failures += 1;
    // 200, 400, 800, 800 ... ms: twice as long after each failure, up to the cap.
    const wait = Math.min(CAP_MS, BASE_MS * 2 ** failures);
    console.warn(`${error.message}; retry in ${wait} ms`);
    await sleep(wait);
  }
}
console.log('done');
