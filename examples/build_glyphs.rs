//! The glyph build step (字形构建): `cargo run --example build_glyphs -- FONT.ttf OUT_DIR SOURCE...`
//! (run through `tools/build-glyphs.sh`, which fetches and checks the font).
//!
//! Collects every character used in the SOURCE files and folders (walked in
//! sorted order, UTF-8 text files only) plus Basic Latin and Latin-1, renders
//! each one the font has as a MapLibre signed distance field
//! ([`liuyu::web::glyphs::render_sdf`]), groups them into 256-codepoint
//! ranges and writes the bundle the server embeds. Deterministic: same font and
//! sources, same bytes. Writes `OUT_DIR/noto-sans-sc-regular.glyphs`,
//! `OUT_DIR/charset.txt` (the characters, for the page's web-font subset) and
//! `OUT_DIR/build-report.txt` (counts and any character the font lacks).
//!
//! Font parsing uses `ttf-parser` (a dev-dependency: the server never parses fonts).
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use liuyu::web::glyphs::{self, Outline, SdfGlyph};

/// Forwards ttf-parser's outline callbacks (font units, y up) to [`Outline`] in pixels.
struct Builder {
    scale: f64,
    out: Outline,
}

impl ttf_parser::OutlineBuilder for Builder {
    fn move_to(&mut self, x: f32, y: f32) {
        let s = self.scale;
        self.out.move_to(f64::from(x) * s, f64::from(y) * s);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let s = self.scale;
        self.out.line_to(f64::from(x) * s, f64::from(y) * s);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let s = self.scale;
        let f = |v: f32| f64::from(v) * s;
        self.out.quad_to(f(x1), f(y1), f(x), f(y));
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let s = self.scale;
        let f = |v: f32| f64::from(v) * s;
        self.out.cubic_to(f(x1), f(y1), f(x2), f(y2), f(x), f(y));
    }
    fn close(&mut self) {
        self.out.close();
    }
}

fn walk(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            walk(&e, files)?;
        }
    } else {
        files.push(path.to_path_buf());
    }
    Ok(())
}

/// Characters of every UTF-8 text file under `sources`, plus U+0020-U+007E and U+00A0-U+00FF.
fn charset(sources: &[String]) -> std::io::Result<(BTreeSet<char>, usize)> {
    let mut files = Vec::new();
    for s in sources {
        walk(Path::new(s), &mut files)?;
    }
    let mut set: BTreeSet<char> = (' '..='~').chain('\u{a0}'..='\u{ff}').collect();
    let mut read = 0;
    for f in &files {
        if let Ok(text) = std::fs::read_to_string(f) {
            read += 1;
            set.extend(text.chars().filter(|c| !c.is_control()));
        }
    }
    Ok((set, read))
}

fn render(face: &ttf_parser::Face, c: char) -> Option<SdfGlyph> {
    let gid = face.glyph_index(c)?;
    let scale = glyphs::EM_PX / f64::from(face.units_per_em());
    let mut b = Builder {
        scale,
        out: Outline::default(),
    };
    face.outline_glyph(gid, &mut b);
    b.out.close();
    let advance = (f64::from(face.glyph_hor_advance(gid).unwrap_or(0)) * scale).round() as u32;
    Some(glyphs::render_sdf(u32::from(c), &b.out, advance))
}

fn run(font: &str, dir: &str, sources: &[String]) -> Result<String, String> {
    let out = format!("{dir}/noto-sans-sc-regular.glyphs");
    let report = format!("{dir}/build-report.txt");
    let charset_file = format!("{dir}/charset.txt");
    let data = std::fs::read(font).map_err(|e| format!("{font}: {e}"))?;
    let face = ttf_parser::Face::parse(&data, 0).map_err(|e| format!("{font}: {e}"))?;
    let (chars, files) = charset(sources).map_err(|e| e.to_string())?;
    let mut ranges: BTreeMap<u32, Vec<SdfGlyph>> = BTreeMap::new();
    let mut missing = Vec::new();
    for &c in &chars {
        match render(&face, c) {
            Some(g) => ranges.entry(u32::from(c) & !255).or_default().push(g),
            None => missing.push(c),
        }
    }
    let encoded: BTreeMap<u32, Vec<u8>> = ranges
        .iter()
        .map(|(first, gs)| (*first, glyphs::encode_range(glyphs::FONT_STACK, *first, gs)))
        .collect();
    let bundle = glyphs::write_bundle(&encoded);
    std::fs::write(&out, &bundle).map_err(|e| format!("{out}: {e}"))?;
    let text: String = chars.iter().collect();
    std::fs::write(&charset_file, text + "\n").map_err(|e| format!("{charset_file}: {e}"))?;
    let rendered: usize = ranges.values().map(Vec::len).sum();
    let mut text = format!(
        "font stack: {}\nsource files read: {files}\ncharacters: {}\nglyphs rendered: {rendered}\nranges: {}\nbundle bytes: {}\n",
        glyphs::FONT_STACK,
        chars.len(),
        ranges.len(),
        bundle.len()
    );
    text.push_str(&format!(
        "not in the font ({}): {}\n",
        missing.len(),
        missing
            .iter()
            .map(|c| format!("U+{:04X}", u32::from(*c)))
            .collect::<Vec<_>>()
            .join(" ")
    ));
    std::fs::write(&report, &text).map_err(|e| format!("{report}: {e}"))?;
    Ok(text)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: build_glyphs FONT.ttf OUT_DIR SOURCE...");
        std::process::exit(2);
    }
    match run(&args[1], &args[2], &args[3..]) {
        Ok(report) => print!("{report}"),
        Err(e) => {
            eprintln!("glyph build failed: {e}");
            std::process::exit(1);
        }
    }
}
