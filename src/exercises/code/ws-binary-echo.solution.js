const socket = new WebSocket('/api/echo');
socket.binaryType = 'arraybuffer'; // binary messages arrive as ArrayBuffer, not Blob
await new Promise((resolve) => { socket.onopen = resolve; });
const bytes = new Uint8Array(16).map((_, i) => i * 16);
socket.send(bytes); // a typed array goes as a binary frame (opcode 2)
const echo = await new Promise((resolve) => { socket.onmessage = resolve; });
const back = new Uint8Array(echo.data);
console.log(`${echo.data.constructor.name} ${echo.data.byteLength}`);
console.log(back.every((byte, i) => byte === bytes[i]) ? 'same bytes' : 'different bytes');
socket.close(1000);
console.log('done');
