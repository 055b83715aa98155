/**
 * `npm run dev`: the companion server (restarted on change) and Astro's dev server, which
 * proxies /api to it. Open the URL Astro prints.
 */
import { spawn } from 'node:child_process';

const apiPort = process.env.PORT ?? '3000';
const children = [
  spawn('node', ['--watch', 'server/main.ts', '--port', apiPort], { stdio: 'inherit' }),
  spawn('npx', ['astro', 'dev'], { stdio: 'inherit', env: { ...process.env, API_PORT: apiPort } }),
];
const stop = () => {
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) child.on('exit', stop);
