/**
 * A real browser for the review page: Debian's chromium through playwright-core. Where it is not
 * installed (`.ci/run` installs it), `BROWSER_SKIP` says why and the browser tests skip.
 */
import { serve, type ServerType } from '@hono/node-server';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import type { TestGate } from './gate.js';
import { ROOT } from './cli.js';

export const CHROMIUM = '/usr/bin/chromium';
export const BROWSER_SKIP = existsSync(CHROMIUM) ? '' : `browser tests skipped: no ${CHROMIUM} (install it with \`apt-get install -y chromium\`, as .ci/run does)`;
export const ARTIFACTS = join(ROOT, 'test/artifacts');

export function launch(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

/** The test gate on a port of its own, as the browser needs. */
export function listen(g: TestGate): Promise<{ url: string; server: ServerType }> {
  return new Promise((ok) => {
    const server = serve({ fetch: g.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => ok({ url: `http://127.0.0.1:${info.port}`, server }));
  });
}
