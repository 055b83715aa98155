const socket = new WebSocket(`/api/ws/${CHANNEL}`);
await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));

// The next ack (or error) frame, as a promise.
const nextAck = () => new Promise((resolve, reject) => {
  const onMessage = (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type !== 'ack' && frame.type !== 'error') return;
    socket.removeEventListener('message', onMessage);
    if (frame.type === 'ack') resolve(frame.id);
    else reject(new Error(`${frame.code}: ${frame.message}`));
  };
  socket.addEventListener('message', onMessage);
});

for (let n = 1; n <= 5; n++) {
  const acked = nextAck();
  socket.send(JSON.stringify({ type: 'publish', data: { n } }));
  console.log(`ack ${await acked}`);
}
socket.close(1000, 'all acknowledged');
console.log('done');
