// `npm test` pre-step: on a fresh clone, install dependencies first, and say plainly if no browser is found.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('node_modules/.bin/vitest')) {
  console.log('Installing dependencies (first run)…');
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}
if (process.env.CHROMIUM_PATH === undefined && !existsSync('/usr/bin/chromium')) {
  console.warn('Note: /usr/bin/chromium not found. Install it (Debian: apt install chromium), set CHROMIUM_PATH, or run `npx playwright install chromium`.');
}
