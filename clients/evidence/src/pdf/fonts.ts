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

/**
 * Shaped words kept across documents (labels, dates and amounts recur in every letter), bounded
 * by the glyphs they hold, not by their number: most words of a letter never recur (request ids,
 * account numbers, hashes), and a cache of 20,000 words filled with them held ~28 glyph positions
 * each — the gateway's heap grew by ~1.5 MB a minute under the soak benchmark until it would have
 * held ~70 MB (test/src/bench/soak-bench.ts, heap snapshots compared; README, Benchmarks).
 * 100,000 glyphs is ~13 MB and holds the recurring words of every template many times over.
 */
export const LAYOUT_CACHE_GLYPHS = 100_000;

interface SharedFont {
  file: string;
  EmbeddedFont: EmbeddedFontClass;
  font: object;
  layoutCache: ReturnType<typeof boundedLayoutCache>;
}
let shared: SharedFont | undefined;

/** A shaped word as pdfkit keeps it: fontkit's glyph run (its glyphs and their positions). */
interface ShapedWord {
  positions?: readonly unknown[];
}

/** What the shared layout cache holds now: words, and glyph positions (its size). */
export interface LayoutCacheStats {
  words: number;
  glyphs: number;
}

/**
 * pdfkit indexes its layout cache like a plain object; this one is an LRU bounded by glyphs behind
 * that face. Exported for its test (fonts.test.ts).
 */
export function boundedLayoutCache(maxGlyphs = LAYOUT_CACHE_GLYPHS): { cache: Record<string, unknown>; stats: () => LayoutCacheStats } {
  const lru = new LRUCache<string, ShapedWord>({ maxSize: maxGlyphs, sizeCalculation: (run) => Math.max(1, run.positions?.length ?? 1) });
  const cache = new Proxy(Object.create(null) as Record<string, unknown>, {
    get: (_target, key) => (typeof key === 'string' ? lru.get(key) : undefined),
    set: (_target, key, value: unknown) => {
      // A run larger than the whole bound is not kept (lru-cache refuses it too); pdfkit shapes it again.
      if (typeof key === 'string' && typeof value === 'object' && value !== null) lru.set(key, value as ShapedWord);
      return true;
    },
  });
  return { cache, stats: () => ({ words: lru.size, glyphs: lru.calculatedSize }) };
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
    font.layoutCache = shared.layoutCache.cache;
    doc._fontFamilies[CJK_FONT] = font;
  }
  pdf.font(CJK_FONT);
}

/** The shared layout cache of this process (all zero before the first document). */
export function layoutCacheStats(): LayoutCacheStats {
  return shared?.layoutCache.stats() ?? { words: 0, glyphs: 0 };
}

/**
 * A new pdfkit document without pdfkit's default font: `font: ''` skips the Helvetica metrics
 * pdfkit would otherwise read and parse for every document only for the evidence never to use
 * them (every text is set in the CJK font).
 */
export const NO_DEFAULT_FONT = { font: '' } as const;
