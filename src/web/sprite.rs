//! A tiny sprite sheet (图标) generated at start-up: a flow arrow for rivers
//! (`arrow`, pointing along the line, i.e. downstream when lines run from source
//! to mouth). Drawn and PNG-encoded here so the style needs no glyph or image files.

use std::io::Write;

use flate2::{write::ZlibEncoder, Compression, Crc};
use serde_json::{json, Value};

/// Arrow colour (river blue), RGB.
const ARROW_RGB: [u8; 3] = [0x2b, 0x7b, 0xba];

fn dist_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    let (x, y) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - x).powi(2) + (p.1 - y).powi(2)).sqrt()
}

/// RGBA pixels of the arrow (a chevron pointing east) at `ratio` (1 or 2).
pub fn arrow_rgba(ratio: u32) -> (u32, Vec<u8>) {
    let size = 16 * ratio;
    let s = f64::from(ratio);
    let (tip, top, bottom) = ((12.0 * s, 8.0 * s), (5.0 * s, 3.0 * s), (5.0 * s, 13.0 * s));
    let half_width = 1.4 * s;
    let mut px = Vec::with_capacity((size * size * 4) as usize);
    for y in 0..size {
        for x in 0..size {
            let p = (f64::from(x) + 0.5, f64::from(y) + 0.5);
            let d = dist_to_segment(p, top, tip).min(dist_to_segment(p, bottom, tip));
            let alpha = (half_width + 0.5 - d).clamp(0.0, 1.0);
            px.extend_from_slice(&ARROW_RGB);
            px.push((alpha * 255.0).round() as u8);
        }
    }
    (size, px)
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

/// Encode square RGBA pixels as a PNG (8-bit RGBA, no filtering).
pub fn png(size: u32, rgba: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(rgba.len() + size as usize);
    for row in rgba.chunks((size * 4) as usize) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    let _ = z.write_all(&raw);
    let idat = z.finish().unwrap_or_default();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The sprite index JSON at `ratio`.
pub fn index(ratio: u32) -> Value {
    let size = 16 * ratio;
    json!({"arrow": {"x": 0, "y": 0, "width": size, "height": size, "pixelRatio": ratio}})
}

/// The sprite PNG at `ratio`.
pub fn image(ratio: u32) -> Vec<u8> {
    let (size, px) = arrow_rgba(ratio);
    png(size, &px)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn png_structure_and_pixels_round_trip() {
        let (size, px) = arrow_rgba(2);
        let p = png(size, &px);
        assert_eq!(&p[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&p[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes([p[16], p[17], p[18], p[19]]), 32);
        // CRC of IHDR as computed by zlib's crc32 over type + data.
        let mut crc = Crc::new();
        crc.update(&p[12..29]);
        assert_eq!(crc.sum().to_be_bytes(), [p[29], p[30], p[31], p[32]]);
        // Inflate IDAT and compare with the pixels.
        let idat_len = u32::from_be_bytes([p[33], p[34], p[35], p[36]]) as usize;
        assert_eq!(&p[37..41], b"IDAT");
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(&p[41..41 + idat_len])
            .read_to_end(&mut raw)
            .unwrap();
        assert_eq!(raw.len(), (32 * 4 + 1) * 32);
        let unfiltered: Vec<u8> = raw
            .chunks(32 * 4 + 1)
            .flat_map(|r| r[1..].to_vec())
            .collect();
        assert_eq!(unfiltered, px);
        // The tip row (y = 16) is opaque near the tip and clear at the far left.
        let alpha = |x: usize, y: usize| px[(y * 32 + x) * 4 + 3];
        assert_eq!(alpha(23, 16), 255);
        assert_eq!(alpha(1, 16), 0);
        assert!(p.ends_with(b"IEND\xaeB`\x82"));
    }
}
