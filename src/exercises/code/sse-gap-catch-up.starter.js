// Resumes by itself after the cut, but the server keeps only the last 2 messages for this run.
const seen = new Set();
const show = (id) => {
  if (seen.has(id)) return;
  seen.add(id);
  console.log(id);
};
const source = new EventSource(`/api/sse/${CHANNEL}`);
source.addEventListener('message', (event) => show(event.lastEventId));
source.addEventListener('stop', () => {
  source.close();
  console.log('done');
});
