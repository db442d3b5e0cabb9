/**
 * Builds DOM nodes from data without ever parsing strings as HTML: text goes in as text nodes,
 * so content from the ledger cannot inject markup (and the CSP forbids inline script anyway).
 */
export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces what `parent` shows. */
export function show(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A two-language label: 中文 first, English after it (the domain is Chinese; the API is English). */
export function bilingual(zh: string, en: string): string {
  return `${zh} ${en}`;
}

export function table(caption: string | null, headers: string[], rows: Child[][], attrs: Attrs = {}): HTMLTableElement {
  return h(
    'table',
    attrs,
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { scope: 'col' }, text)))),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))))),
  );
}

/** A share (0…1) as a percentage with one decimal: `42.0 %`. */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/** A definition list of label → value pairs. */
export function facts(pairs: Array<[string, Child]>, attrs: Attrs = {}): HTMLDListElement {
  const list = h('dl', { class: 'facts', ...attrs });
  for (const [label, value] of pairs) append(list, h('dt', {}, label), h('dd', {}, value ?? '—'));
  return list;
}

const LOCAL_TIME = new Intl.DateTimeFormat('en-CA', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'shortOffset',
});

/**
 * A ledger instant (ISO, UTC) as the reader's wall clock: `2026-12-08 23:59:59 UTC+8`. Deadlines
 * end at local midnight of the channel's calendar, which in UTC reads like the afternoon before;
 * the exact ISO value stays in `datetime` and on hover.
 */
export function instant(iso: string | undefined): Child {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const part = Object.fromEntries(LOCAL_TIME.formatToParts(date).map((p) => [p.type, p.value]));
  const zone = (part.timeZoneName ?? '').replace(/^GMT/, 'UTC');
  return h('time', { datetime: iso, title: iso }, `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second} ${zone}`);
}

/** Hands a fetched file to the browser's download (routes that need a token cannot be plain links). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

