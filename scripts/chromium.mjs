// Finds the Chromium the browser tests run in. Run directly (`node scripts/chromium.mjs`), it
// installs Debian's chromium when none is found and it may (root on Debian), else says how.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const candidates = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** CHROME_PATH when set (and then it must be right), else the first browser installed in a usual place. */
export function findChromium() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} is not an executable file.`);
    return fromEnv;
  }
  return candidates.find(isExecutable);
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function canInstallWithApt() {
  return process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/etc/debian_version');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  let chromium = findChromium();
  if (chromium === undefined && canInstallWithApt()) {
    console.log('No Chromium found: installing Debian\'s chromium package (apt-get install -y chromium)…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
    chromium = findChromium();
  }
  if (chromium === undefined) {
    console.error(
      'The browser tests need Chromium or Chrome, and none was found.\n' +
        '  Debian/Ubuntu: sudo apt-get install -y chromium\n' +
        '  macOS:         brew install --cask chromium\n' +
        'or point CHROME_PATH at an installed Chrome/Chromium binary.',
    );
    process.exit(1);
  }
  console.log(`Browser tests run in ${chromium}`);
}
