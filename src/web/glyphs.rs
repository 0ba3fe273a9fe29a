//! Map label glyphs (注记字形): MapLibre glyph ranges (`/fonts/{stack}/{range}.pbf`)
//! served from a bundle compiled into the binary, and the pure functions that
//! build that bundle (signed distance fields, glyph protobuf encoding).
//!
//! The bundle `src/web/fonts/noto-sans-sc-regular.glyphs` is written by
//! `tools/build-glyphs.sh` (the example `build_glyphs`) from Noto Sans SC
//! Regular (SIL OFL 1.1, npm package `@expo-google-fonts/noto-sans-sc`), for the
//! characters the map can show: every name in `data/` (layers, rivers, lakes,
//! governance catalog), the page's own text, and Basic Latin + Latin-1. It is
//! committed, so `cargo build` needs neither npm nor the font.
//!
//! Glyphs follow the MapLibre/fontnik conventions: 24 px em, 3 px buffer, a
//! distance field of radius 8 px with the outline at value 192 (cutoff 0.25),
//! `top` measured from a baseline 25 px below the top of the em box.
//!
//! Bundle format: the magic `LIUYUGLYPHS1`, a u32 (little-endian) count, then
//! per range `u32 first codepoint`, `u32 byte length`, and the range's complete
//! glyph protobuf (`glyphs { stacks { name range glyphs* } }`).

use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The font stack the style names in `text-font` (字体栈).
pub const FONT_STACK: &str = "Noto Sans SC Regular";

/// Pixels per em at which glyphs are rasterised (MapLibre's `ONE_EM`).
pub const EM_PX: f64 = 24.0;
/// Blank border around each glyph bitmap, in pixels.
pub const BUFFER: i32 = 3;
/// Distance (pixels) covered by the 0..255 ramp.
pub const RADIUS: f64 = 8.0;
/// Share of the ramp given to the inside of the glyph.
pub const CUTOFF: f64 = 0.25;
/// Baseline offset MapLibre's shaping assumes (fontnik writes `top - 25`).
pub const BASELINE_TOP: i32 = 25;

const MAGIC: &[u8] = b"LIUYUGLYPHS1";

/// The embedded bundle.
const BUNDLE: &[u8] = include_bytes!("fonts/noto-sans-sc-regular.glyphs");

/// One rendered glyph (字形) in MapLibre's metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdfGlyph {
    /// Unicode code point.
    pub id: u32,
    /// Width of the outline's pixel box (the bitmap is `width + 6` wide).
    pub width: u32,
    /// Height of the outline's pixel box (the bitmap is `height + 6` high).
    pub height: u32,
    /// Left bearing in pixels.
    pub left: i32,
    /// Top of the outline box relative to MapLibre's baseline (`ymax - 25`).
    pub top: i32,
    /// Horizontal advance in pixels.
    pub advance: u32,
    /// Distance field, row-major from the top, `(width+6) * (height+6)` bytes;
    /// empty for blank glyphs (space).
    pub bitmap: Vec<u8>,
}

/// A glyph outline in pixels (y up, baseline at 0): closed rings of points.
/// Curves are flattened as they are added ([`Outline::quad_to`], [`Outline::cubic_to`]).
#[derive(Debug, Clone, Default)]
pub struct Outline {
    rings: Vec<Vec<(f64, f64)>>,
}

/// Segments used for a curve whose control polygon is `len` pixels long:
/// about one per half pixel, at least one (deterministic, no tolerance search).
fn curve_steps(len: f64) -> usize {
    ((len * 2.0).ceil() as usize).clamp(1, 64)
}

impl Outline {
    /// Start a new ring at `(x, y)`.
    pub fn move_to(&mut self, x: f64, y: f64) {
        self.close();
        self.rings.push(vec![(x, y)]);
    }

    fn last(&self) -> (f64, f64) {
        self.rings
            .last()
            .and_then(|r| r.last().copied())
            .unwrap_or((0.0, 0.0))
    }

    fn push(&mut self, p: (f64, f64)) {
        match self.rings.last_mut() {
            Some(r) => r.push(p),
            None => self.rings.push(vec![p]),
        }
    }

    /// A straight segment to `(x, y)`.
    pub fn line_to(&mut self, x: f64, y: f64) {
        self.push((x, y));
    }

    /// A quadratic Bézier (TrueType) to `(x, y)` with control `(cx, cy)`.
    pub fn quad_to(&mut self, cx: f64, cy: f64, x: f64, y: f64) {
        let (x0, y0) = self.last();
        let len = (cx - x0).hypot(cy - y0) + (x - cx).hypot(y - cy);
        let n = curve_steps(len);
        for i in 1..=n {
            let t = i as f64 / n as f64;
            let u = 1.0 - t;
            self.push((
                u * u * x0 + 2.0 * u * t * cx + t * t * x,
                u * u * y0 + 2.0 * u * t * cy + t * t * y,
            ));
        }
    }

    /// A cubic Bézier (CFF) to `(x, y)` with controls `(c1x, c1y)`, `(c2x, c2y)`.
    pub fn cubic_to(&mut self, c1x: f64, c1y: f64, c2x: f64, c2y: f64, x: f64, y: f64) {
        let (x0, y0) = self.last();
        let len =
            (c1x - x0).hypot(c1y - y0) + (c2x - c1x).hypot(c2y - c1y) + (x - c2x).hypot(y - c2y);
        let n = curve_steps(len);
        for i in 1..=n {
            let t = i as f64 / n as f64;
            let u = 1.0 - t;
            let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
            self.push((
                a * x0 + b * c1x + c * c2x + d * x,
                a * y0 + b * c1y + c * c2y + d * y,
            ));
        }
    }

    /// Close the current ring (repeat its first point when needed).
    pub fn close(&mut self) {
        if let Some(r) = self.rings.last_mut() {
            if let (Some(&first), Some(&last)) = (r.first(), r.last()) {
                if first != last {
                    r.push(first);
                }
            }
        }
    }

    /// The closed rings.
    pub fn rings(&self) -> &[Vec<(f64, f64)>] {
        &self.rings
    }
}

/// Distance from `p` to the segment `a`-`b`.
fn segment_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let l2 = dx * dx + dy * dy;
    let t = if l2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / l2).clamp(0.0, 1.0)
    };
    (p.0 - (a.0 + t * dx)).hypot(p.1 - (a.1 + t * dy))
}

/// Even-odd crossing test over all rings (glyph contours).
fn inside(rings: &[Vec<(f64, f64)>], p: (f64, f64)) -> bool {
    let mut c = false;
    for r in rings {
        for w in r.windows(2) {
            let (a, b) = (w[0], w[1]);
            if (a.1 > p.1) != (b.1 > p.1) && p.0 < (b.0 - a.0) * (p.1 - a.1) / (b.1 - a.1) + a.0 {
                c = !c;
            }
        }
    }
    c
}

/// Render the signed distance field of `outline` (pixels, y up) as MapLibre
/// expects: the outline's rounded pixel box, a [`BUFFER`] border, value
/// `255 - clamp(256 * d / RADIUS + 256 * CUTOFF)` with `d` the distance to the
/// nearest outline segment, negative inside. A blank outline gives an empty
/// bitmap with the advance only.
pub fn render_sdf(id: u32, outline: &Outline, advance: u32) -> SdfGlyph {
    let rings = outline.rings();
    let pts = rings.iter().flatten();
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in pts {
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    let blank = SdfGlyph {
        id,
        width: 0,
        height: 0,
        left: 0,
        top: -BASELINE_TOP,
        advance,
        bitmap: Vec::new(),
    };
    if x0 > x1 {
        return blank;
    }
    let (x0, y0, x1, y1) = (x0.round(), y0.round(), x1.round(), y1.round());
    if x1 - x0 <= 0.0 || y1 - y0 <= 0.0 {
        return blank;
    }
    let (w, h) = ((x1 - x0) as u32, (y1 - y0) as u32);
    let b = BUFFER as u32;
    let (bw, bh) = (w + 2 * b, h + 2 * b);
    let segments: Vec<((f64, f64), (f64, f64))> = rings
        .iter()
        .flat_map(|r| r.windows(2).map(|s| (s[0], s[1])))
        .collect();
    let mut bitmap = vec![0u8; (bw * bh) as usize];
    for y in 0..bh {
        for x in 0..bw {
            // Pixel centre in outline coordinates (row 0 of the field is the top).
            let p = (
                x0 - f64::from(b) + f64::from(x) + 0.5,
                y0 - f64::from(b) + f64::from(y) + 0.5,
            );
            let mut d = segments
                .iter()
                .map(|&(s, e)| segment_distance(p, s, e))
                .fold(RADIUS, f64::min);
            if inside(rings, p) {
                d = -d;
            }
            let v = (d * 256.0 / RADIUS + CUTOFF * 256.0).clamp(0.0, 255.0) as u8;
            bitmap[((bh - 1 - y) * bw + x) as usize] = 255 - v;
        }
    }
    SdfGlyph {
        id,
        width: w,
        height: h,
        left: x0 as i32,
        top: y1 as i32 - BASELINE_TOP,
        advance,
        bitmap,
    }
}

// ---- protobuf (glyphs.proto of the Mapbox/MapLibre glyph format) -----------

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn field_varint(out: &mut Vec<u8>, field: u32, v: u64) {
    varint(out, u64::from(field << 3));
    varint(out, v);
}

fn field_sint(out: &mut Vec<u8>, field: u32, v: i32) {
    field_varint(out, field, u64::from(((v << 1) ^ (v >> 31)) as u32));
}

fn field_bytes(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    varint(out, u64::from(field << 3 | 2));
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn encode_glyph(g: &SdfGlyph) -> Vec<u8> {
    let mut m = Vec::with_capacity(g.bitmap.len() + 16);
    field_varint(&mut m, 1, u64::from(g.id));
    if !g.bitmap.is_empty() {
        field_bytes(&mut m, 2, &g.bitmap);
    }
    field_varint(&mut m, 3, u64::from(g.width));
    field_varint(&mut m, 4, u64::from(g.height));
    field_sint(&mut m, 5, g.left);
    field_sint(&mut m, 6, g.top);
    field_varint(&mut m, 7, u64::from(g.advance));
    m
}

/// The 256-codepoint range name starting at `first` (`"19968-20223"`).
pub fn range_name(first: u32) -> String {
    format!("{}-{}", first, first + 255)
}

/// The glyph protobuf of one range: one font stack named `stack` holding `glyphs`
/// (possibly none: an empty but valid range).
pub fn encode_range(stack: &str, first: u32, glyphs: &[SdfGlyph]) -> Vec<u8> {
    let mut fs = Vec::new();
    field_bytes(&mut fs, 1, stack.as_bytes());
    field_bytes(&mut fs, 2, range_name(first).as_bytes());
    for g in glyphs {
        field_bytes(&mut fs, 3, &encode_glyph(g));
    }
    let mut out = Vec::with_capacity(fs.len() + 8);
    field_bytes(&mut out, 1, &fs);
    out
}

/// Write a bundle of encoded ranges (first codepoint -> protobuf).
pub fn write_bundle(ranges: &BTreeMap<u32, Vec<u8>>) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&(ranges.len() as u32).to_le_bytes());
    for (first, pbf) in ranges {
        out.extend_from_slice(&first.to_le_bytes());
        out.extend_from_slice(&(pbf.len() as u32).to_le_bytes());
        out.extend_from_slice(pbf);
    }
    out
}

/// Read a bundle; `None` when it is malformed.
pub fn read_bundle(bytes: &[u8]) -> Option<BTreeMap<u32, &[u8]>> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let u32_at = |b: &[u8], i: usize| -> Option<u32> {
        Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
    };
    let count = u32_at(rest, 0)? as usize;
    let mut at = 4;
    let mut map = BTreeMap::new();
    for _ in 0..count {
        let first = u32_at(rest, at)?;
        let len = u32_at(rest, at + 4)? as usize;
        map.insert(first, rest.get(at + 8..at + 8 + len)?);
        at += 8 + len;
    }
    (at == rest.len()).then_some(map)
}

static EMBEDDED: LazyLock<BTreeMap<u32, &'static [u8]>> = LazyLock::new(|| {
    read_bundle(BUNDLE).unwrap_or_else(|| {
        tracing::error!("embedded glyph bundle is malformed; serving empty glyph ranges");
        BTreeMap::new()
    })
});

/// First codepoints of the ranges that hold glyphs.
pub fn embedded_ranges() -> Vec<u32> {
    EMBEDDED.keys().copied().collect()
}

/// Whether a requested font stack (a comma list, as MapLibre sends it) names our font.
pub fn known_stack(stack: &str) -> bool {
    stack.split(',').any(|f| f.trim() == FONT_STACK)
}

/// Parse `"{first}-{last}.pbf"` (or without `.pbf`) into the first codepoint of
/// a 256-codepoint range within the Basic Multilingual Plane and beyond (to U+10FFFF).
pub fn parse_range(range: &str) -> Option<u32> {
    let (a, b) = range
        .strip_suffix(".pbf")
        .unwrap_or(range)
        .split_once('-')?;
    let (first, last): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    (first % 256 == 0 && last == first + 255 && last <= 0x10FFFF).then_some(first)
}

/// The protobuf for `first` in the embedded font: the committed range, or an
/// empty but valid range when the font has no glyph there.
pub fn range_pbf(first: u32) -> std::borrow::Cow<'static, [u8]> {
    match EMBEDDED.get(&first) {
        Some(b) => std::borrow::Cow::Borrowed(*b),
        None => std::borrow::Cow::Owned(encode_range(FONT_STACK, first, &[])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Outline {
        let mut o = Outline::default();
        o.move_to(x0, y0);
        o.line_to(x1, y0);
        o.line_to(x1, y1);
        o.line_to(x0, y1);
        o.close();
        o
    }

    #[test]
    fn square_field_has_metrics_and_ramp() {
        let g = render_sdf(0x25a0, &square(2.0, -1.0, 14.0, 15.0), 16);
        assert_eq!(
            (g.width, g.height, g.left, g.top),
            (12, 16, 2, 15 - BASELINE_TOP)
        );
        let bw = (g.width + 6) as usize;
        assert_eq!(g.bitmap.len(), bw * (g.height + 6) as usize);
        let at = |x: usize, y: usize| g.bitmap[y * bw + x];
        // Centre is deep inside (well above the 192 edge); the corner pixel is
        // 2.5*sqrt(2) px from the outline corner: 255 - (3.54*32 + 64) = 78.
        assert!(at(bw / 2, 11) > 230, "{}", at(bw / 2, 11));
        assert_eq!(at(0, 0), 78);
        // Along the middle row the field rises monotonically up to the centre,
        // crossing the edge value between the buffer and the outline.
        let row: Vec<u8> = (0..bw / 2).map(|x| at(x, 11)).collect();
        assert!(row.windows(2).all(|w| w[0] <= w[1]), "{row:?}");
        assert!(row[2] < 192 && row[3] > 192, "{row:?}");
        // Pixel 2.5 px outside the left edge: 255 - (2.5*32 + 64) = 111.
        assert_eq!(at(0, 11), 111);
    }

    #[test]
    fn hole_is_outside() {
        let mut o = square(0.0, 0.0, 20.0, 20.0);
        let hole = square(6.0, 6.0, 14.0, 14.0);
        o.rings.extend(hole.rings().iter().cloned());
        let g = render_sdf(1, &o, 20);
        let bw = (g.width + 6) as usize;
        // Centre of the hole (10,10) -> column 13, row 13 from the top.
        assert!(g.bitmap[13 * bw + 13] < 100);
        assert!(g.bitmap[13 * bw + 6] > 192);
    }

    #[test]
    fn curves_are_flattened_onto_the_curve() {
        let mut o = Outline::default();
        o.move_to(0.0, 0.0);
        o.quad_to(10.0, 20.0, 20.0, 0.0);
        o.cubic_to(20.0, -5.0, 0.0, -5.0, 0.0, 0.0);
        o.close();
        let r = &o.rings()[0];
        assert!(r.len() > 20);
        // The quadratic's apex (t = 0.5) is (10, 10).
        assert!(r
            .iter()
            .any(|&(x, y)| (x - 10.0).abs() < 1e-9 && (y - 10.0).abs() < 1e-9));
        assert_eq!(r.first(), r.last());
    }

    #[test]
    fn blank_glyph_keeps_advance() {
        let g = render_sdf(32, &Outline::default(), 6);
        assert_eq!((g.width, g.height, g.advance), (0, 0, 6));
        assert!(g.bitmap.is_empty());
        let pbf = encode_range(FONT_STACK, 0, &[g]);
        // glyphs{stacks(1)}: tag 0x0a, then the stack name.
        assert_eq!(pbf[0], 0x0a);
        assert!(pbf
            .windows(FONT_STACK.len())
            .any(|w| w == FONT_STACK.as_bytes()));
    }

    #[test]
    fn sint_and_varint_encoding() {
        let mut v = Vec::new();
        field_sint(&mut v, 6, -3);
        assert_eq!(v, [0x30, 5]);
        let mut v = Vec::new();
        field_varint(&mut v, 1, 300);
        assert_eq!(v, [0x08, 0xac, 0x02]);
    }

    #[test]
    fn ranges_parse_and_bundle_round_trips() {
        assert_eq!(parse_range("19968-20223.pbf"), Some(19968));
        assert_eq!(parse_range("0-255"), Some(0));
        for bad in [
            "1-256.pbf",
            "0-254.pbf",
            "a-b.pbf",
            "",
            "-1-254.pbf",
            "1114112-1114367.pbf",
        ] {
            assert_eq!(parse_range(bad), None, "{bad}");
        }
        let mut m = BTreeMap::new();
        m.insert(0, encode_range(FONT_STACK, 0, &[]));
        m.insert(256, vec![1, 2, 3]);
        let b = write_bundle(&m);
        let back = read_bundle(&b).unwrap();
        assert_eq!(back.get(&256).copied(), Some(&[1u8, 2, 3][..]));
        assert!(read_bundle(&b[..b.len() - 1]).is_none());
        assert!(known_stack("Noto Sans SC Regular,Arial Unicode MS Regular"));
        assert!(!known_stack("Open Sans Regular"));
    }
}
