// Reads the event stream with fetch and reconnects after a cut. What does it lose?
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let stopped = false;

while (!stopped) {
  try {
    const response = await fetch(`/api/sse/${CHANNEL}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let event = { type: 'message', id: null };
    while (!stopped) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        if (line === '') {
          // A blank line dispatches the event.
          if (event.id !== null) {
            if (event.type === 'stop') stopped = true;
            else console.log(`${event.type} ${event.id}`);
          }
          event = { type: 'message', id: null };
        } else if (line.startsWith('id: ')) {
          event.id = line.slice(4);
        } else if (line.startsWith('event: ')) {
          event.type = line.slice(7);
        }
      }
    }
    if (stopped) await reader.cancel();
  } catch (error) {
    console.warn(`cut: ${error.message}`);
  }
  if (!stopped) await sleep(300);
}
console.log('done');
