// Browser-test support: builds the SPA when dist/web is missing or older than web/, launches Debian's Chromium
// through playwright-core, and checks what every page must satisfy (no console errors, no forbidden requests,
// no horizontal overflow, no CJK in English mode). Screenshots go to test/artifacts/ (git-ignored).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

// Browser globals used inside page.evaluate callbacks (they run in the page, not in Node).
declare const window: any, document: any;

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../../..');
export const ARTIFACTS = join(ROOT, 'test/artifacts');

/** Why browser tests cannot run here, or null. With CRS_REQUIRE_BROWSER=1 a missing browser is a failure, not a skip. */
export function browserSkipReason(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const msg = `${CHROMIUM} not found (apt-get install chromium)`;
  if (process.env.CRS_REQUIRE_BROWSER === '1') throw new Error(`CRS_REQUIRE_BROWSER=1 but ${msg}`);
  console.log(`# SKIP browser tests: ${msg}`);
  return msg;
}

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

function fresh(index: string): boolean {
  const sources = Math.max(newest(join(ROOT, 'web/src')), statSync(join(ROOT, 'web/index.html')).mtimeMs, statSync(join(ROOT, 'web/vite.config.ts')).mtimeMs);
  return existsSync(index) && statSync(index).mtimeMs >= sources;
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Builds dist/web with Vite when it is missing or older than the sources (the bundle we ship is what we test).
 * Browser test files run in parallel: a lock directory makes one build while the others wait for it, and the build
 * keeps the old hashed assets (no emptyOutDir), so a page another test has open keeps loading its chunks.
 */
export function ensureWebBuilt(): void {
  const index = join(ROOT, 'dist/web/index.html');
  if (fresh(index)) return;
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const lock = join(ROOT, 'dist/.web-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Someone else builds; a lock older than 3 minutes is stale (its builder died).
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 180_000 || Date.now() > deadline)
        rmSync(lock, { recursive: true, force: true });
      sleepSync(200);
    }
  }
  try {
    if (fresh(index)) return;
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn', '--emptyOutDir=false'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface Watched {
  page: Page;
  /** Console errors and failed requests seen so far (expected ones can be removed by the test). */
  problems: string[];
}

/** A page that records console errors, page errors and requests to malformed paths (e.g. a doubled /web/web/). */
export async function watchedPage(ctx: BrowserContext, allowStatus: (url: string, status: number) => boolean = () => false): Promise<Watched> {
  const page = await ctx.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    // Failed loads are judged by the response listener below (which knows the expected ones).
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.includes('/web/web/') || u.pathname.includes('//')) problems.push(`malformed request: ${u.pathname}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 500 || (r.status() >= 400 && !allowStatus(r.url(), r.status()))) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  return { page, problems };
}

/** No horizontal overflow at this viewport; in English no CJK text; in both no raw message keys. */
export async function checkPage(page: Page, lang: 'en' | 'zh-CN', label: string): Promise<void> {
  const r: { sw: number; iw: number; text: string } = await page.evaluate(() => ({
    sw: document.documentElement.scrollWidth,
    iw: window.innerWidth,
    text: document.body.innerText,
  }));
  assert.ok(r.sw <= r.iw + 1, `${label}: horizontal overflow (${r.sw} > ${r.iw})`);
  if (lang === 'en') {
    const cjk = r.text.match(/[\u3400-\u9fff]+/g) ?? [];
    // The language switch itself offers "中文" in English mode.
    const stray = cjk.filter((s) => s !== '中文');
    assert.deepEqual(stray, [], `${label}: CJK text in English mode`);
  }
  const raw =
    r.text.match(/\b(common|nav|dashboard|accounts|keys|keyForm|once|usage|requests|settings|stats|login|state|tokens|limits|errors|oauth)\.[a-zA-Z_]+\b/g) ??
    [];
  assert.deepEqual(raw, [], `${label}: raw i18n keys`);
  for (const bad of ['undefined', 'NaN', 'Invalid Date', '[object Object]']) assert.ok(!r.text.includes(bad), `${label}: "${bad}" on the page`);
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Let enter/leave transitions (modals, drawers) finish: a half-faded dialog is not what a user sees.
  await page
    .waitForFunction(() => document.getAnimations().every((a: { playState: string }) => a.playState !== 'running'), undefined, { timeout: 5000 })
    .catch(() => undefined);
  await page.waitForTimeout(50);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
