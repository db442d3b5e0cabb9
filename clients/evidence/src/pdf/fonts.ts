import { LRUCache } from 'lru-cache';
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';

/**
 * The CJK font embedded (as a subset of the glyphs used) in every evidence PDF: WenQuanYi Micro
 * Hei, a TrueType collection from Debian's fonts-wqy-microhei, installed by
 * scripts/lib/system-packages.sh. TrueType outlines subset cleanly with fontkit; the whole file
 * is 5 MB, a typical evidence PDF carries ~100 KB of it. One face only. ECONFIRM_CJK_FONT
 * overrides the path.
 */
export const DEFAULT_CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
export const CJK_FONT_FAMILY = 'WenQuanYiMicroHei';
/** The name render.ts selects the font by (`pdf.font(CJK_FONT)`). */
export const CJK_FONT = 'cjk';

export function cjkFontPath(): string {
  const file = process.env.ECONFIRM_CJK_FONT ?? DEFAULT_CJK_FONT;
  if (!existsSync(file)) {
    throw new Error(`CJK font ${file} is missing: run scripts/lib/system-packages.sh (Debian package fonts-wqy-microhei) or set ECONFIRM_CJK_FONT`);
  }
  return file;
}

/** The pdfkit internals a shared font needs; pdfkit's typings do not declare them (pdfkit 0.17). */
interface EmbeddedFontInternals {
  /** The fontkit font: the decoded tables and fontkit's glyph cache. */
  font: object;
  /** pdfkit's per-font cache of shaped words (word → glyph run); only ever read and written by key. */
  layoutCache?: Record<string, unknown>;
}
type EmbeddedFontClass = new (document: PDFKit.PDFDocument, font: object, id: string) => EmbeddedFontInternals;
interface DocumentFontInternals {
  _font: EmbeddedFontInternals | null;
  _fontFamilies: Record<string, EmbeddedFontInternals>;
  _fontCount: number;
}

/** Shaped words kept across documents: labels, dates and amounts recur in every letter. */
const LAYOUT_CACHE_WORDS = 20_000;

interface SharedFont {
  file: string;
  EmbeddedFont: EmbeddedFontClass;
  font: object;
  layoutCache: Record<string, unknown>;
}
let shared: SharedFont | undefined;

/** pdfkit indexes its layout cache like a plain object; this one is a bounded LRU behind that face. */
function boundedLayoutCache(): Record<string, unknown> {
  const lru = new LRUCache<string, object>({ max: LAYOUT_CACHE_WORDS });
  return new Proxy(Object.create(null) as Record<string, unknown>, {
    get: (_target, key) => (typeof key === 'string' ? lru.get(key) : undefined),
    set: (_target, key, value: unknown) => {
      if (typeof key === 'string' && typeof value === 'object' && value !== null) lru.set(key, value);
      return true;
    },
  });
}

function loadSharedFont(file: string): SharedFont {
  // pdfkit opens (reads and decodes) a font file again for every document: for a 5 MB collection
  // that was most of the rendering time. Open it once, in a document that is never written, and
  // keep pdfkit's own font class and the fontkit font it built.
  const probe = new PDFDocument({ autoFirstPage: false, font: '' }) as unknown as PDFKit.PDFDocument & DocumentFontInternals;
  probe.font(file, CJK_FONT_FAMILY);
  const opened = probe._font;
  if (!opened || !('layoutCache' in opened)) throw new Error(`pdfkit did not open ${file} as an embedded font`);
  return { file, EmbeddedFont: opened.constructor as EmbeddedFontClass, font: opened.font, layoutCache: boundedLayoutCache() };
}

/**
 * Selects the CJK font in `pdf`, sharing per process what does not depend on the document: the
 * decoded font and the shaped words. What a document embeds stays its own — each document gets
 * its own pdfkit font object, so its own subset of glyphs, widths and ToUnicode map, and its id
 * (hence the subset tag) is numbered in the document — so the bytes are those of a font opened
 * for that document alone (evidence-pdf.test.ts renders in a fresh process and compares).
 */
export function useCjkFont(pdf: PDFKit.PDFDocument): void {
  const file = cjkFontPath();
  if (shared?.file !== file) shared = loadSharedFont(file);
  const doc = pdf as unknown as DocumentFontInternals;
  if (!doc._fontFamilies[CJK_FONT]) {
    // F2, as when pdfkit's default font took F1: the id names the subset (its tag), so evidence
    // rendered before this font sharing and after it is the same bytes.
    doc._fontCount = Math.max(doc._fontCount, 1);
    const font = new shared.EmbeddedFont(pdf, shared.font, `F${++doc._fontCount}`);
    font.layoutCache = shared.layoutCache;
    doc._fontFamilies[CJK_FONT] = font;
  }
  pdf.font(CJK_FONT);
}

/**
 * A new pdfkit document without pdfkit's default font: `font: ''` skips the Helvetica metrics
 * pdfkit would otherwise read and parse for every document only for the evidence never to use
 * them (every text is set in the CJK font).
 */
export const NO_DEFAULT_FONT = { font: '' } as const;
