const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let cursor = null;
let stopped = false;

while (!stopped) {
  const since = cursor === null ? '' : `&since=${encodeURIComponent(cursor)}`;
  try {
    const response = await fetch(`/api/long-poll/${CHANNEL}?timeout=1${since}`);
    if (response.status === 204) continue; // nothing new within the timeout: ask again at once
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const page = await response.json();
    for (const message of page.messages) {
      if (message.type === 'stop') stopped = true;
      else console.log(message.id);
    }
    cursor = page.cursor; // an answer that never arrived moved nothing
  } catch (error) {
    // Cut before the answer: nothing was delivered, so the same cursor asks for the same messages.
    console.warn(`cut (${error.message}); asking again from ${cursor}`);
    await sleep(200);
  }
}
console.log('done');
