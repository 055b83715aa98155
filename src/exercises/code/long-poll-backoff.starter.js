// Asks again at once after every answer, errors included. The check refuses the first requests with 503.
let cursor = null;
let stopped = false;

while (!stopped) {
  const since = cursor === null ? '' : `&since=${encodeURIComponent(cursor)}`;
  try {
    const response = await fetch(`/api/long-poll/${CHANNEL}?timeout=5${since}`);
    if (response.status === 204) continue;
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const page = await response.json();
    for (const message of page.messages) {
      if (message.type === 'stop') stopped = true;
      else console.log(message.id);
    }
    cursor = page.cursor;
  } catch (error) {
    console.warn(error.message);
  }
}
console.log('done');
