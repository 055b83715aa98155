const source = new EventSource(`/api/sse/${CHANNEL}`);
// Named events reach only the listeners for their name: onmessage sees only `message`.
for (const type of ['price', 'news']) {
  source.addEventListener(type, (event) => console.log(`${type} ${event.lastEventId}`));
}
source.addEventListener('stop', () => {
  source.close(); // or the browser reconnects by itself
  console.log('done');
});
