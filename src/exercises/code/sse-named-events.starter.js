// The check publishes events named `price` and `news`, then one named `stop`.
const source = new EventSource(`/api/sse/${CHANNEL}`);
source.onmessage = (event) => console.log(`${event.type} ${event.lastEventId}`);
