const socket = new WebSocket(`/api/ws/${CHANNEL}`);
socket.onmessage = (event) => {
  const frame = JSON.parse(event.data);
  if (frame.type === 'error') console.warn(`${frame.code}: ${frame.message}`);
  if (frame.type !== 'message') return;
  const message = frame.message;
  if (message.type === 'ping') {
    // This server takes `publish` and `resume` frames only: a pong is a publish that names its ping.
    socket.send(JSON.stringify({ type: 'publish', event: 'pong', data: { ping: message.id } }));
    console.log(`pong for ${message.id}`);
  }
  if (message.type === 'stop') {
    socket.close(1000, 'done');
    console.log('done');
  }
};
