const seen = new Set();
const show = (id) => {
  if (seen.has(id)) return; // the poll and the stream may both bring a message: keep it once
  seen.add(id);
  console.log(id);
};
const source = new EventSource(`/api/sse/${CHANNEL}`);
source.addEventListener('message', (event) => show(event.lastEventId));
source.addEventListener('gap', async () => {
  // Messages after our last id have left the history: read what the channel holds now.
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const page = await (await fetch(`/api/poll/${CHANNEL}?limit=100`)).json();
      for (const message of page.messages) {
        if (message.type === 'message') show(message.id);
      }
      return;
    } catch (error) {
      console.warn(`catching up failed (${error.message}); trying again`);
    }
  }
});
source.addEventListener('stop', () => {
  source.close();
  console.log('done');
});
