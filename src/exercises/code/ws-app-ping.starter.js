// The check publishes messages of type `ping` on the channel. Answer each one.
const socket = new WebSocket(`/api/ws/${CHANNEL}`);
socket.onmessage = (event) => {
  const frame = JSON.parse(event.data);
  if (frame.type === 'error') console.warn(`${frame.code}: ${frame.message}`);
  if (frame.type !== 'message') return;
  const message = frame.message;
  if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong', id: message.id }));
  if (message.type === 'stop') {
    socket.close(1000, 'done');
    console.log('done');
  }
};
