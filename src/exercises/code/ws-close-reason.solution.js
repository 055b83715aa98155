const socket = new WebSocket(`/api/ws/${CHANNEL}`);
let count = 0;
socket.onmessage = (event) => {
  const frame = JSON.parse(event.data);
  if (frame.type !== 'message') return;
  console.log(frame.message.id);
  if (++count === 3) {
    // 1000: a normal closure, with a reason the other side can log (at most 123 bytes of UTF-8).
    socket.close(1000, 'read 3 messages');
    console.log('done');
  }
};
