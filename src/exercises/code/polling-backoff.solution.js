const BASE_MS = 100;
const CAP_MS = 800;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let cursor = null;
let stopped = false;
let wait = BASE_MS;

while (!stopped) {
  let news = false;
  try {
    const url = cursor === null
      ? `/api/poll/${CHANNEL}`
      : `/api/poll/${CHANNEL}?since=${encodeURIComponent(cursor)}`;
    const response = await fetch(url);
    if (response.ok) {
      const page = await response.json();
      cursor = page.cursor;
      for (const message of page.messages) {
        if (message.type === 'stop') stopped = true;
        else console.log(message.id);
      }
      news = page.messages.length > 0;
    } else {
      console.warn(`HTTP ${response.status}`);
    }
  } catch (error) {
    console.warn(error.message); // a network error: back off as for an error answer
  }
  if (stopped) break;
  // News: back to the base. Nothing new, or an error: twice as long, up to the cap.
  // (A real client adds random jitter; leave it out here so the check can read your waits.)
  wait = news ? BASE_MS : Math.min(CAP_MS, wait * 2);
  await sleep(wait);
}
console.log('done');
