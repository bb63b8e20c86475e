// `npm run dev`: the API server from the sources with restarts on change (tsx watch, on PORT, 3000
// by default) and the web app from Vite with hot reload (http://localhost:5173, proxying the API to
// PORT). Ctrl-C, or SIGTERM to npm (which execs this script), stops both.
import { spawn } from 'node:child_process';

const children = [
  spawn(process.execPath, ['--import', 'tsx', '--watch', 'src/server.ts'], {
    stdio: 'inherit',
    env: { ...process.env, APP_ORIGIN: process.env.APP_ORIGIN ?? 'http://localhost:5173' },
  }),
  spawn(process.execPath, ['node_modules/vite/bin/vite.js'], { stdio: 'inherit' }),
];
console.log('Open http://localhost:5173 (the API answers there too, through the Vite proxy).');
const stop = () => {
  for (const c of children) c.kill('SIGTERM');
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
for (const c of children)
  c.once('exit', (code) => {
    stop();
    process.exitCode = code ?? 0;
  });
