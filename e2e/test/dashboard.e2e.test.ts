import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpeedScenario } from '../src/support/speed-scenario';

/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against the real stack: it
 * starts a replay, watches the progress bar advance to completion, and shows the comparison. Screenshots go to
 * e2e/screenshots/ (git-ignored).
 */
const scenario = new SpeedScenario('dashboard');
const token = 'dashboard-token-0123456789';
const screenshots = resolve(import.meta.dirname, '..', 'screenshots');
const userDataDir = mkdtempSync(join(tmpdir(), 'lk-chromium-'));
let base = '';
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  await scenario.createTopics();
  expect(await scenario.generate(12_000, 12_000, { seed: 9, start: '2026-07-01T00:00:00Z' })).toBe(0);
  const speed = scenario.startSpeed(1);
  // small fetches and frequent flushes: the run's progress moves in many visible steps
  const worker = scenario.startBatch({
    BATCH_CONCURRENCY: '1',
    BATCH_FETCH_MAX_BYTES: '8192',
    BATCH_FLUSH_INTERVAL_MS: '50',
  });
  const merge = scenario.startMerge({ MERGE_POLL_INTERVAL_MS: '200', MERGE_COMPARE_INTERVAL_MS: '0' });
  const admin = scenario.startAdmin({ ADMIN_TOKEN: token });
  await Promise.all([
    speed.waitForLog('service started'),
    worker.waitForLog('replay worker started'),
    merge.waitForLog('service started'),
  ]);
  base = String((await admin.waitForLog('service started')).url);
  await scenario.caughtUp(1);
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1400, height: 1000 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
}, 240_000);

afterAll(async () => {
  await context?.close();
  rmSync(userDataDir, { recursive: true, force: true });
  await scenario.cleanup();
});

describe('dashboard', () => {
  it('starts a replay, shows its progress bar advancing to completion, then the comparison', async () => {
    await page.goto(base);
    await page.waitForSelector('#pipeline option', { state: 'attached' });
    expect(await page.inputValue('#pipeline')).toBe(scenario.pipelines[0]!.name);
    await page.waitForFunction(() => (document.querySelector('#timeline-windows')?.children.length ?? 0) > 0);
    await page.screenshot({ path: join(screenshots, 'dashboard-start.png'), fullPage: true });

    await page.fill('#token', token);
    await page.dispatchEvent('#token', 'change');
    // every width the run's total bar takes, as the page redraws it
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { widths: string[] }).widths = seen;
      new MutationObserver(() => {
        const bar = document.querySelector<HTMLElement>('#runs .run .bar.total > span');
        if (bar && seen.at(-1) !== bar.style.width) seen.push(bar.style.width);
      }).observe(document.querySelector('#runs')!, { childList: true, subtree: true, attributes: true });
    });
    await page.click('#start-batch');
    await page.waitForSelector('#runs .run[data-status="running"], #runs .run[data-status="completed"]');
    await page.screenshot({ path: join(screenshots, 'dashboard-replay.png'), fullPage: true });
    await page.waitForSelector('#runs .run[data-status="completed"]', { timeout: 120_000 });
    const runId = (await page.getAttribute('#runs .run[data-status="completed"]', 'id'))!.replace('run-', '');
    scenario.runIds.push(runId);
    const widths = (await page.evaluate(() => (window as unknown as { widths: string[] }).widths)).map(
      parseFloat,
    );
    expect(widths.at(-1)).toBe(100);
    expect(widths.length, JSON.stringify(widths)).toBeGreaterThan(2);
    expect(widths).toEqual([...widths].sort((a, b) => a - b));

    // the merge service compares after the replay; the page shows it when it lands, or on "Compare now"
    await page
      .waitForSelector('#summary-table tr[data-class="explained"]', { timeout: 15_000 })
      .catch(() => page.click('#compare'));
    // "Compare now" compares while the request waits, which a loaded machine makes slow: wait for the table, or
    // for the page's error message (the test then fails with its text, not a timeout), with generous slack
    await page.waitForSelector('#summary-table tr[data-class="explained"], #message.error', {
      timeout: 120_000,
    });
    if (!(await page.$('#summary-table tr[data-class="explained"]')))
      throw new Error(`no comparison shown: ${await page.textContent('#message')}`);
    const unexplained = await page.textContent('#summary-table tr[data-class="unexplained"] td:nth-child(2)');
    expect(unexplained).toBe('0');
    const explained = Number(
      await page.textContent('#summary-table tr[data-class="explained"] td:nth-child(2)'),
    );
    expect(explained).toBeGreaterThan(0);
    expect(await page.locator('#differences tbody tr').count()).toBeGreaterThan(0);
    expect(await page.textContent('#scorecard')).toContain('last batch run');
    await page.screenshot({ path: join(screenshots, 'dashboard-compared.png'), fullPage: true });

    // the differing rows: a column per aggregation with `left → right`, no raw JSON, a reason one can read
    expect(await page.$$eval('#differences th.value', (cells) => cells.map((c) => c.textContent))).toEqual(
      scenario.pipelines[0]!.aggregations.map((a) => a.name),
    );
    expect(await page.textContent('#differences tbody')).not.toContain('{');
    expect(await page.locator('#differences td.value.differs').count()).toBeGreaterThan(0);
    const reasonWidth = await page.$eval('#differences th.reason', (th) => th.getBoundingClientRect().width);
    expect(reasonWidth).toBeGreaterThan(200);
    // nothing runs off the right edge at 1400 px, and the key's windows share their row with the replays
    const layout = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const outside = [...document.querySelectorAll('body *')]
        .filter((element) => element.getBoundingClientRect().right > width + 0.5)
        .map((element) => `${element.tagName.toLowerCase()}#${element.id}.${element.className}`);
      const box = (selector: string) => document.querySelector(selector)!.getBoundingClientRect();
      return {
        width,
        scrollWidth: document.documentElement.scrollWidth,
        outside: outside.slice(0, 5),
        timeline: { top: box('#timeline').top, right: box('#timeline').right },
        replays: { top: box('#replays').top, left: box('#replays').left },
      };
    });
    expect(layout.outside).toEqual([]);
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.width);
    expect(layout.replays.top).toBe(layout.timeline.top);
    expect(layout.replays.left).toBeGreaterThan(layout.timeline.right);
    expect(pageErrors).toEqual([]);
  });
});
