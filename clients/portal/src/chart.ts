/**
 * A horizontal bar chart as inline SVG: one labelled bar per entry, its count at its end. Drawn by
 * hand because the portal has no bundler and no runtime dependency (tsc's modules are served as
 * they are), and a bar chart of a few counts needs nothing a chart library adds. The numbers stay readable as text
 * (and in the tables beside each chart); the chart is `role="img"` with its title as the label.
 */
const SVG = 'http://www.w3.org/2000/svg';
const ROW = 22;
const LABEL_WIDTH = 190;
const BAR_WIDTH = 260;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

export function barChart(id: string, title: string, entries: ReadonlyArray<readonly [key: string, label: string, value: number]>): SVGSVGElement {
  const max = Math.max(1, ...entries.map(([, , v]) => v));
  const height = entries.length * ROW + 4;
  const chart = svg('svg', { id, class: 'chart', role: 'img', 'aria-label': title, viewBox: `0 0 ${LABEL_WIDTH + BAR_WIDTH + 60} ${height}`, width: LABEL_WIDTH + BAR_WIDTH + 60, height });
  chart.append(svg('title', {}, title));
  entries.forEach(([key, label, value], i) => {
    const y = i * ROW + 2;
    const width = Math.round((value / max) * BAR_WIDTH);
    chart.append(
      svg('text', { x: LABEL_WIDTH - 6, y: y + ROW / 2 + 4, 'text-anchor': 'end' }, label),
      svg('rect', { x: LABEL_WIDTH, y: y + 3, width, height: ROW - 6, 'data-key': key, 'data-value': value }),
      svg('text', { x: LABEL_WIDTH + width + 6, y: y + ROW / 2 + 4 }, String(value)),
    );
  });
  return chart;
}
