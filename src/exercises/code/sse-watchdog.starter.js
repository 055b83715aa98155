// A message comes every 150 ms. Partway through, the stream goes silent (the check holds its output back).
const source = new EventSource(`/api/sse/${CHANNEL}`);
source.onmessage = (event) => console.log(event.lastEventId);
source.addEventListener('stop', () => {
  source.close();
  console.log('done');
});
