const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let cursor = null;
let etag = null;
let stopped = false;

// One request at a time: wait for the answer, then wait, then ask again.
while (!stopped) {
  const url = cursor === null
    ? `/api/poll/${CHANNEL}`
    : `/api/poll/${CHANNEL}?since=${encodeURIComponent(cursor)}`;
  const response = await fetch(url, {
    cache: 'no-store',
    headers: etag ? { 'If-None-Match': etag } : {},
  });
  if (response.status === 200) {
    etag = response.headers.get('ETag');
    const page = await response.json();
    for (const message of page.messages) {
      if (message.type === 'stop') stopped = true;
      else console.log(message.id);
    }
    cursor = page.cursor;
    if (page.more) continue; // more is waiting already: ask again at once
  }
  // 304 Not Modified: nothing new since the last answer.
  if (!stopped) await sleep(100);
}
console.log('done');
