// Plain JavaScript, so that web-test-runner.config.mjs (which Node loads as it is) and the
// TypeScript tests launch the same browser the same way.

/** Debian's Chromium: npm never downloads browsers on these machines. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headless, and quiet on the network: without the background-networking flags Chromium
 * keeps trying hosts this machine cannot reach.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];
