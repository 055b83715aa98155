// Reads 3 messages, then closes. Close so that the server knows why.
const socket = new WebSocket(`/api/ws/${CHANNEL}`);
let count = 0;
socket.onmessage = (event) => {
  const frame = JSON.parse(event.data);
  if (frame.type !== 'message') return;
  console.log(frame.message.id);
  if (++count === 3) {
    socket.close();
    console.log('done');
  }
};
