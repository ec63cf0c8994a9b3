import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { CATALOG, remoteFileName } from '../../core/datasets/catalog';

/** Checks the end-to-end tests run inside the page, and a stand-in for the dataset servers. */

/**
 * Tables wider than their card: the table's right edge past the card's content box, or a
 * scrollbar anywhere between them (a table that scrolls sideways is cut off too). One line each.
 */
export function overflowingTables(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    for (const table of document.querySelectorAll('table')) {
      if (table.getClientRects().length === 0) continue;
      const card = table.closest<HTMLElement>('.panel, .dialog') ?? table.parentElement!;
      const style = getComputedStyle(card);
      const cardBox = card.getBoundingClientRect();
      const contentRight = cardBox.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight);
      const tableBox = table.getBoundingClientRect();
      const name = card.querySelector('h3')?.textContent?.trim() || table.className || 'table';
      if (tableBox.right > contentRight + 1) problems.push(`${name}: ${Math.round(tableBox.width)} px wide in ${Math.round(contentRight - cardBox.left)} px`);
      for (let element: HTMLElement | null = table; element && element !== card.parentElement; element = element.parentElement) {
        if (element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX !== 'visible') {
          problems.push(`${name}: scrolls sideways (${element.scrollWidth} px in ${element.clientWidth} px)`);
          break;
        }
      }
    }
    return problems;
  });
}

export interface SvgFigureFacts {
  /** the XML parser's complaint, or null for a well-formed document */
  parseError: string | null;
  width: string | null;
  height: string | null;
  /** paths with more than 20 segments: the drawn curves */
  polylines: number;
  /** the distinct font sizes of its text */
  fontSizes: string[];
  texts: string[];
}

/** Parses an exported SVG with the browser's strict XML parser and reports what it draws. */
export function svgFigureFacts(page: Page, svg: string): Promise<SvgFigureFacts> {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const error = doc.querySelector('parsererror');
    const root = doc.documentElement;
    const texts = [...doc.querySelectorAll('text')];
    return {
      parseError: error ? (error.textContent ?? 'parse error') : null,
      width: root.getAttribute('width'),
      height: root.getAttribute('height'),
      polylines: [...doc.querySelectorAll('path')].filter((p) => (p.getAttribute('d')?.match(/L/g)?.length ?? 0) > 20).length,
      fontSizes: [...new Set(texts.map((t) => /font-size:([\d.]+px)/.exec(t.getAttribute('style') ?? '')?.[1] ?? '?'))].sort(),
      texts: texts.map((t) => t.textContent ?? ''),
    };
  }, svg);
}

export interface Mirror {
  url: string;
  close(): Promise<void>;
}

/**
 * A lab mirror of the catalog's files, as ALIGNAHEAD_DOWNLOAD_MIRROR points to one: it answers the
 * download checks' HEAD requests with each file's published size (and has no bodies to give).
 */
export async function startMirror(): Promise<Mirror> {
  const sizes = new Map(CATALOG.filter((entry) => entry.url).map((entry) => [remoteFileName(entry), entry.bytes]));
  const server = createServer((req, res) => {
    const file = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    if (req.method !== 'HEAD' || !sizes.has(file)) return void res.writeHead(404).end();
    const bytes = sizes.get(file);
    res.writeHead(200, bytes === null || bytes === undefined ? {} : { 'content-length': String(bytes) }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
