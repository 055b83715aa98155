// Reconnects at once after a drop, from the live edge. The check cuts each socket after 3 messages.
let stopped = false;
function open() {
  const socket = new WebSocket(`/api/ws/${CHANNEL}`);
  socket.onmessage = (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type !== 'message') return;
    if (frame.message.type === 'stop') {
      stopped = true;
      socket.close(1000, 'done');
      console.log('done');
      return;
    }
    console.log(frame.message.id);
  };
  socket.onclose = (event) => {
    if (stopped) return;
    console.log(`closed with ${event.code}`);
    open();
  };
}
open();
