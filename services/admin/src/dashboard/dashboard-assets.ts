import { dirname, join } from 'node:path';

/** The dashboard's own files (HTML, JS, CSS), shipped with the service beside dist/. */
export const DASHBOARD_DIR = join(__dirname, '..', '..', 'dashboard');

/** Chart.js' browser build, served from the installed package: the page needs no CDN. */
export function chartJsDir(): string {
  return dirname(require.resolve('chart.js'));
}
