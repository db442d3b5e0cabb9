import { existsSync } from 'node:fs';

/**
 * The CJK font embedded (as a subset of the glyphs used) in every evidence PDF: WenQuanYi Micro
 * Hei, a TrueType collection from Debian's fonts-wqy-microhei, installed by
 * scripts/lib/system-packages.sh. TrueType outlines subset cleanly with fontkit; the whole file
 * is 5 MB, a typical evidence PDF carries ~100 KB of it. One face only: each face costs a full
 * font-table decode per document (half the rendering time with two). ECONFIRM_CJK_FONT overrides the path.
 */
export const DEFAULT_CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
export const CJK_FONT_FAMILY = 'WenQuanYiMicroHei';

export function cjkFontPath(): string {
  const file = process.env.ECONFIRM_CJK_FONT ?? DEFAULT_CJK_FONT;
  if (!existsSync(file)) {
    throw new Error(`CJK font ${file} is missing: run scripts/lib/system-packages.sh (Debian package fonts-wqy-microhei) or set ECONFIRM_CJK_FONT`);
  }
  return file;
}
