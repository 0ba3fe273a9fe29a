//! Vector tiles against the exact lookup: for seeded random points, the county
//! polygon that a decoded tile puts under the point is the county the Atlas's
//! exact locator answers, except within two tile units of a border (tiles are
//! simplified and quantised; lookups are not). Also: the committed archive is
//! built from the embedded data.
use geo::{Contains, Coord, Distance, Euclidean, LineString, MultiPolygon, Point, Polygon};
use geozero::mvt::{Message, Tile};
use liuyu::tiles::atlas::from_atlas;
use liuyu::tiles::mercator::{lonlat_to_merc, tile_of};
use liuyu::tiles::pmtiles::Archive;
use liuyu::tiles::{TileId, TileSet};
use liuyu::Atlas;
use rand::{Rng, SeedableRng};

/// Decode polygon geometry commands (MVT 2.1) into rings, in tile units.
fn rings(geom: &[u32]) -> Vec<Vec<(f64, f64)>> {
    let zz = |v: u32| ((v >> 1) as i64) ^ -((v & 1) as i64);
    let (mut x, mut y, mut i) = (0i64, 0i64, 0usize);
    let (mut out, mut cur) = (Vec::new(), Vec::new());
    while i < geom.len() {
        let (cmd, n) = (geom[i] & 7, geom[i] >> 3);
        i += 1;
        if cmd == 7 {
            let mut r: Vec<(f64, f64)> = std::mem::take(&mut cur);
            r.push(r[0]);
            out.push(r);
            continue;
        }
        for _ in 0..n {
            x += zz(geom[i]);
            y += zz(geom[i + 1]);
            i += 2;
            cur.push((x as f64, y as f64));
        }
    }
    out
}

/// Rings to polygons by the MVT winding rule (exterior: positive surveyor's area, y down).
fn polygons(geom: &[u32]) -> MultiPolygon<f64> {
    let mut polys: Vec<Polygon<f64>> = Vec::new();
    for r in rings(geom) {
        let a: f64 = r
            .windows(2)
            .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
            .sum();
        let ls = LineString::from(r);
        if a > 0.0 {
            polys.push(Polygon::new(ls, vec![]));
        } else if let Some(p) = polys.last_mut() {
            p.interiors_push(ls);
        }
    }
    MultiPolygon(polys)
}

#[test]
fn tile_county_under_random_points_matches_exact_lookup() {
    let atlas = Atlas::embedded().unwrap();
    let source = from_atlas(&atlas);
    let tiles = TileSet::new(&source);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);
    let (mut agree, mut near_border, mut inside) = (0, 0, 0);
    while inside < 400 {
        let (lon, lat) = (rng.gen_range(108.3..116.2), rng.gen_range(29.0..33.3));
        let loc = serde_json::to_value(atlas.locate(lon, lat)).unwrap();
        let Some(truth) = loc["county"]["adcode"].as_str().map(str::to_string) else {
            continue;
        };
        inside += 1;
        let z = [5u8, 7, 9, 10][inside % 4];
        let (x, y) = tile_of(z, lon, lat);
        let t = TileId::new(z, x, y).unwrap();
        let tile = Tile::decode(tiles.render(&["counties"], t).unwrap().as_slice()).unwrap();
        let layer = &tile.layers[0];
        let (min_x, _, _, max_y) = t.merc_bounds();
        let unit = t.width_m() / 4096.0;
        let (mx, my) = lonlat_to_merc(lon, lat);
        let p = Point::new((mx - min_x) / unit, (max_y - my) / unit);
        let found: Vec<String> = layer
            .features
            .iter()
            .filter(|f| polygons(&f.geometry).contains(&p))
            .map(|f| f.id.unwrap().to_string())
            .collect();
        if found == [truth.clone()] {
            agree += 1;
            continue;
        }
        // Disagreement is allowed only within 2 tile units of the true county's border.
        let county = atlas.layer(liuyu::LayerKind::County).get(&truth).unwrap();
        let d = county
            .geometry
            .0
            .iter()
            .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
            .map(|ring| {
                let r: LineString<f64> = ring
                    .0
                    .iter()
                    .map(|c| {
                        let (x, y) = lonlat_to_merc(c.x, c.y);
                        Coord {
                            x: (x - min_x) / unit,
                            y: (max_y - y) / unit,
                        }
                    })
                    .collect();
                Euclidean.distance(&p, &r)
            })
            .fold(f64::INFINITY, f64::min);
        assert!(d < 2.0, "z{z} ({lon}, {lat}): tile says {found:?}, exact lookup {truth}, {d:.2} units from the border");
        near_border += 1;
    }
    assert!(agree >= 390, "agree {agree}, near border {near_border}");
}

#[test]
fn committed_archive_is_built_from_the_embedded_data() {
    let atlas = Atlas::embedded().unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tiles/hubei.pmtiles");
    let a = Archive::open(&path).unwrap();
    assert_eq!(
        a.metadata()["data_version"].as_str(),
        Some(atlas.version()),
        "tiles/hubei.pmtiles is stale: run `cargo run -- tiles build` and commit it"
    );
    let h = a.header();
    assert_eq!((h.min_zoom, h.max_zoom), liuyu::tiles::atlas::ARCHIVE_ZOOMS);
    // Same tiles as encoding live, at a few places and zooms.
    let source = from_atlas(&atlas);
    let tiles = TileSet::new(&source);
    let layers: Vec<&str> = source.layers.iter().map(|l| l.id.as_str()).collect();
    for (z, lon, lat) in [
        (0u8, 112.0, 31.0),
        (6, 114.25, 30.6),
        (8, 110.8, 32.6),
        (10, 109.49, 30.27),
    ] {
        let (x, y) = tile_of(z, lon, lat);
        let t = TileId::new(z, x, y).unwrap();
        let stored =
            liuyu::tiles::cache::gunzip(&a.get(t).unwrap().expect("tile in archive")).unwrap();
        assert_eq!(stored, tiles.render(&layers, t).unwrap(), "z{z}/{x}/{y}");
    }
}
