// Asks every 100 ms, whatever the answer. Make it back off instead.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let cursor = null;
let stopped = false;

while (!stopped) {
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
    }
  } catch (error) {
    console.warn(error.message);
  }
  if (!stopped) await sleep(100);
}
console.log('done');
