// Sends 16 bytes to the echo server and reads them back. Log `<type> <byte length>` of what comes back.
const socket = new WebSocket('/api/echo');
await new Promise((resolve) => { socket.onopen = resolve; });
const bytes = new Uint8Array(16).map((_, i) => i * 16);
socket.send(JSON.stringify([...bytes]));
const echo = await new Promise((resolve) => { socket.onmessage = resolve; });
console.log(`${echo.data.constructor.name} ${echo.data.length}`);
socket.close(1000);
console.log('done');
