//! The MapLibre style (地图样式) at `/style.json`: zones coloured by first-level
//! basin, prefecture and county lines, metro and cluster outlines, the corridor,
//! rivers and lakes when present, Chinese labels.

use serde_json::{json, Value};

use crate::tiles::source::MapSource;

/// Fill colours of the second-level zones (二级流域片区), by zone id: blues for
/// 长江 (C*), greens for 汉江 (H*), orange for 清江 (Q1). Within a basin the
/// colours differ in hue and alternate light/dark so that neighbours stand apart.
pub const ZONE_COLOURS: [(&str, &str); 16] = [
    ("C1", "#d4eef7"),
    ("C2", "#9fd0e8"),
    ("C3", "#c3dcf5"),
    ("C4", "#7fb3de"),
    ("C5", "#b7e3f0"),
    ("C6", "#8fa9e0"),
    ("C7", "#d0d8f5"),
    ("C8", "#6fa0d8"),
    ("H1", "#e3f1c4"),
    ("H2", "#a9d88a"),
    ("H3", "#cfeccf"),
    ("H4", "#86c77c"),
    ("H5", "#d9f0b0"),
    ("H6", "#9fd6ae"),
    ("H7", "#bfe3a0"),
    ("Q1", "#fdcf9a"),
];

/// First-level basin (一级流域) colours, used for zones without their own
/// colour, the legend headings and the zone label text.
pub const BASIN_COLOURS: [(&str, &str, &str, &str); 3] = [
    (
        "changjiang",
        "#9ecae1",
        "长江流域",
        "Changjiang (Yangtze) basin",
    ),
    ("hanjiang", "#a1d99b", "汉江流域", "Hanjiang basin"),
    ("qingjiang", "#fdd0a2", "清江流域", "Qingjiang basin"),
];

/// Colour of the selection (选中): the clicked county and the drawn footprint.
pub const SELECTION_COLOUR: &str = "#111111";
/// Colour of the 襄荆荆宜 air corridor (大气污染传输通道) outline.
pub const CORRIDOR_COLOUR: &str = "#e31a1c";
/// Reaches touched by a footprint or passed by a navigation answer.
pub const REACH_COLOUR: &str = "#ff7f00";
/// Reaches downstream of a footprint (issue analysis).
pub const DOWNSTREAM_COLOUR: &str = "#c51b8a";

/// The font stack of every label (served by `/fonts/...`, see [`super::glyphs`]).
const FONT: [&str; 1] = [super::glyphs::FONT_STACK];

fn group(id: &str, zh: &str, en: &str) -> Value {
    json!({ "liuyu:group": { "id": id, "zh": zh, "en": en } })
}

fn zone_fill_colour() -> Value {
    let mut zone_match: Vec<Value> = vec![json!("match"), json!(["get", "id"])];
    for (id, c) in ZONE_COLOURS {
        zone_match.push(json!(id));
        zone_match.push(json!(c));
    }
    let mut basin_match: Vec<Value> = vec![json!("match"), json!(["get", "basin"])];
    for (id, c, _, _) in BASIN_COLOURS {
        basin_match.push(json!(id));
        basin_match.push(json!(c));
    }
    basin_match.push(json!("#e0e0e0"));
    zone_match.push(Value::Array(basin_match));
    Value::Array(zone_match)
}

/// Legend rows of the zones: per first-level basin a heading, then each zone
/// with its own colour, name and id (the names come from the data).
fn zone_legend(source: &MapSource) -> Vec<Value> {
    let mut legend = Vec::new();
    let zones = source.layer("zones");
    for (basin, _, zh, en) in BASIN_COLOURS {
        legend.push(json!({"shape": "heading", "color": "transparent", "zh": zh, "en": en}));
        for (id, c) in ZONE_COLOURS {
            let Some(f) = zones.and_then(|l| l.get(id)) else {
                continue;
            };
            if f.properties.get("basin").and_then(Value::as_str) != Some(basin) {
                continue;
            }
            let name = f
                .properties
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(id);
            legend.push(json!({"shape": "fill", "color": c, "zh": name, "en": id, "zone": id}));
        }
    }
    legend.push(json!({"shape": "note", "color": "transparent", "zh": "片区边界为重建（县界合成）", "en": "zone extents are reconstructed from whole counties"}));
    legend
}

fn line(id: &str, layer: &str, grp: Value, colour: &str, width: Value) -> Value {
    json!({"id": id, "type": "line", "source": "hubei", "source-layer": layer, "metadata": grp,
        "paint": {"line-color": colour, "line-width": width}})
}

/// Boundary, metro, cluster and corridor lines, with their legend rows.
fn boundary_layers(has: &dyn Fn(&str) -> bool, layers: &mut Vec<Value>, legend: &mut Vec<Value>) {
    let zoomed = |a: f64, b: f64| json!(["interpolate", ["linear"], ["zoom"], 5, a, 10, b]);
    if has("counties") {
        let mut l = line(
            "counties-line",
            "counties",
            group("counties", "县级界线", "County lines"),
            "#8c8c8c",
            zoomed(0.3, 1.2),
        );
        l["minzoom"] = json!(5);
        layers.push(l);
        legend.push(
            json!({"shape": "line", "color": "#8c8c8c", "zh": "县级界线", "en": "County boundary"}),
        );
    }
    if has("basins") {
        let mut l = line(
            "basins-line",
            "basins",
            group("basins", "一级流域界线", "Basin lines"),
            "#1f5f8b",
            json!(2.2),
        );
        l["paint"]["line-opacity"] = json!(0.8);
        layers.push(l);
        legend.push(json!({"shape": "line", "color": "#1f5f8b", "zh": "一级流域界线", "en": "Basin boundary"}));
    }
    if has("prefectures") {
        layers.push(line(
            "prefectures-line",
            "prefectures",
            group("prefectures", "地级界线", "Prefecture lines"),
            "#444444",
            zoomed(0.8, 2.2),
        ));
        legend.push(json!({"shape": "line", "color": "#444444", "zh": "地级界线", "en": "Prefecture boundary"}));
    }
    if has("province") {
        layers.push(line(
            "province-line",
            "province",
            group("province", "省界", "Province outline"),
            "#222222",
            json!(2.5),
        ));
    }
    if has("metro_areas") {
        let mut l = line(
            "metro-line",
            "metro_areas",
            group("metro_areas", "都市圈", "Metro areas"),
            "#7b3294",
            json!(2.5),
        );
        l["paint"]["line-dasharray"] = json!([3, 2]);
        layers.push(l);
        legend
            .push(json!({"shape": "dash", "color": "#7b3294", "zh": "都市圈", "en": "Metro area"}));
    }
    if has("city_clusters") {
        let mut l = line(
            "clusters-line",
            "city_clusters",
            group("city_clusters", "城市群", "City clusters"),
            "#d95f02",
            json!(2.5),
        );
        l["paint"]["line-dasharray"] = json!([1, 2]);
        l["layout"] = json!({"visibility": "none"});
        layers.push(l);
        legend.push(
            json!({"shape": "dash", "color": "#d95f02", "zh": "城市群", "en": "City cluster"}),
        );
    }
    if has("corridors") {
        layers.push(line(
            "corridors-line",
            "corridors",
            group("corridors", "大气污染传输通道", "Air corridor"),
            CORRIDOR_COLOUR,
            json!(2.5),
        ));
        legend.push(json!({"shape": "line", "color": CORRIDOR_COLOUR, "zh": "襄荆荆宜大气污染传输通道", "en": "Xiang-Jing-Jing-Yi air corridor"}));
    }
}

/// Lakes (湖泊): the GSHHS outlines are old and larger than today's lakes, so
/// they are drawn faint (fading out from z8), dashed, and labelled as old outlines.
fn lake_layers(layers: &mut Vec<Value>, legend: &mut Vec<Value>) {
    let grp = group("lakes", "湖泊（旧轮廓）", "Lakes (old outlines)");
    layers.push(json!({"id": "lakes-fill", "type": "fill", "source": "hubei", "source-layer": "lakes", "metadata": grp,
        "paint": {"fill-color": "#4a90c8", "fill-opacity": ["interpolate", ["linear"], ["zoom"], 5, 0.45, 8, 0.25, 10, 0.08, 11, 0.0]}}));
    layers.push(json!({"id": "lakes-outline", "type": "line", "source": "hubei", "source-layer": "lakes", "metadata": grp,
        "paint": {"line-color": "#2c6ea4", "line-width": 1, "line-dasharray": [2, 2], "line-opacity": 0.7}}));
    legend.push(json!({"shape": "fill", "color": "#4a90c8", "zh": "湖泊旧轮廓（GSHHS，比今日湖面大）", "en": "Lakes: old GSHHS outlines, larger than today's lakes"}));
}

fn river_layers(layers: &mut Vec<Value>, legend: &mut Vec<Value>) {
    let grp = group("rivers", "河流", "Rivers");
    layers.push(json!({"id": "rivers-line", "type": "line", "source": "hubei", "source-layer": "rivers", "metadata": grp,
        "paint": {"line-color": "#2b7bba", "line-width": ["interpolate", ["linear"], ["zoom"], 5, 1.0, 10, 2.5]}}));
    layers.push(json!({"id": "rivers-arrows", "type": "symbol", "source": "hubei", "source-layer": "rivers", "metadata": grp, "minzoom": 7,
        "layout": {"symbol-placement": "line", "symbol-spacing": 120, "icon-image": "arrow",
                   "icon-rotation-alignment": "map", "icon-allow-overlap": true, "icon-size": 0.9}}));
    legend.push(json!({"shape": "line", "color": "#2b7bba", "zh": "河流（箭头示流向）", "en": "Rivers (arrows: flow)"}));
}

/// Highlights set by the page: the selection (clicked county, analysed
/// prefectures), navigated or touched reaches, downstream reaches.
fn highlight_layers(has: &dyn Fn(&str) -> bool, layers: &mut Vec<Value>, legend: &mut Vec<Value>) {
    let none = json!(["in", ["get", "id"], ["literal", []]]);
    if has("counties") {
        layers.push(json!({"id": "county-highlight", "type": "line", "source": "hubei", "source-layer": "counties",
            "filter": none, "paint": {"line-color": SELECTION_COLOUR, "line-width": 3.5}}));
    }
    if has("prefectures") {
        layers.push(json!({"id": "prefecture-highlight", "type": "line", "source": "hubei", "source-layer": "prefectures",
            "filter": none, "paint": {"line-color": SELECTION_COLOUR, "line-width": 3, "line-dasharray": [2, 1]}}));
    }
    legend.push(json!({"shape": "line", "color": SELECTION_COLOUR, "zh": "选中的县 / 问题范围", "en": "Selection: clicked county, drawn footprint"}));
    if has("rivers") {
        layers.push(json!({"id": "downstream-line", "type": "line", "source": "hubei", "source-layer": "rivers",
            "filter": none, "paint": {"line-color": DOWNSTREAM_COLOUR, "line-width": 4}}));
        layers.push(
            json!({"id": "nav-line", "type": "line", "source": "hubei", "source-layer": "rivers",
            "filter": none, "paint": {"line-color": REACH_COLOUR, "line-width": 5}}),
        );
        legend.push(json!({"shape": "line", "color": REACH_COLOUR, "zh": "查询的河段（上下游导航、问题涉及河段）", "en": "Reaches navigated or touched"}));
        legend.push(json!({"shape": "line", "color": DOWNSTREAM_COLOUR, "zh": "问题下游河段", "en": "Reaches downstream of the problem"}));
    }
}

fn label(
    id: &str,
    layer: &str,
    filter: Value,
    zoom: (u8, u8),
    layout: Value,
    paint: Value,
) -> Value {
    let mut l = json!({"id": id, "type": "symbol", "source": "hubei", "source-layer": layer,
        "metadata": group("labels", "注记", "Labels"), "filter": filter, "minzoom": zoom.0, "maxzoom": zoom.1,
        "layout": layout, "paint": paint});
    l["layout"]["text-font"] = json!(FONT);
    l
}

/// Labels (注记), all in the served font: prefectures, zones (name and id, in
/// the basin's colour), counties, rivers along their lines, named lakes (as old outlines).
fn label_layers(has: &dyn Fn(&str) -> bool, layers: &mut Vec<Value>) {
    let halo = |c: &str, w: f64| json!({"text-color": c, "text-halo-color": "#ffffff", "text-halo-width": w});
    if has("rivers") {
        layers.push(label("labels-river", "rivers", json!(["has", "river_name"]), (7, 24),
            json!({"text-field": ["get", "river_name"], "symbol-placement": "line", "text-size": 12, "symbol-spacing": 350, "text-letter-spacing": 0.2}),
            halo("#1f5f8b", 1.5)));
    }
    if !has("labels") {
        return;
    }
    let kind = |k: &str| json!(["==", ["get", "kind"], k]);
    let basin_text = json!([
        "match",
        ["get", "basin"],
        "hanjiang",
        "#2f6b1f",
        "qingjiang",
        "#8a4b00",
        "#1d4f7a"
    ]);
    layers.push(label("labels-zone", "labels", kind("zone"), (6, 8),
        json!({"text-field": ["format", ["get", "name"], {}, "\n", {}, ["get", "id"], {"font-scale": 0.8}], "text-size": 13}),
        json!({"text-color": basin_text, "text-halo-color": "#ffffff", "text-halo-width": 1.5})));
    layers.push(label(
        "labels-prefecture",
        "labels",
        kind("prefecture"),
        (5, 9),
        json!({"text-field": ["get", "name"], "text-size": 14}),
        halo("#222222", 1.5),
    ));
    layers.push(label(
        "labels-county",
        "labels",
        kind("county"),
        (8, 24),
        json!({"text-field": ["get", "name"], "text-size": 12}),
        halo("#333333", 1.2),
    ));
    layers.push(label(
        "labels-lake",
        "labels",
        kind("lake"),
        (8, 24),
        json!({"text-field": ["concat", ["get", "name"], "（旧轮廓）"], "text-size": 11}),
        halo("#2c6ea4", 1.2),
    ));
}

/// The style for a source, with URLs under `base` (scheme + host of the request).
pub fn style(source: &MapSource, base: &str) -> Value {
    let has = |id: &str| source.layer(id).is_some();
    let mut layers = vec![
        json!({"id": "background", "type": "background", "paint": {"background-color": "#f4f2ee"}}),
    ];
    let mut legend: Vec<Value> = Vec::new();
    if has("zones") {
        layers.push(
            json!({"id": "zones-fill", "type": "fill", "source": "hubei", "source-layer": "zones",
            "metadata": group("zones", "二级流域片区", "Basin zones"),
            "paint": {"fill-color": zone_fill_colour(), "fill-opacity": 1.0}}),
        );
        legend.extend(zone_legend(source));
    }
    if has("lakes") {
        lake_layers(&mut layers, &mut legend);
    }
    boundary_layers(&has, &mut layers, &mut legend);
    if has("rivers") {
        // Drawn above the boundary lines, as before the corridor outline.
        let at = layers
            .iter()
            .position(|l| l["id"] == "metro-line")
            .unwrap_or(layers.len());
        let mut rivers = Vec::new();
        let mut river_legend = Vec::new();
        river_layers(&mut rivers, &mut river_legend);
        layers.splice(at..at, rivers);
        legend.extend(river_legend);
    }
    highlight_layers(&has, &mut layers, &mut legend);
    label_layers(&has, &mut layers);
    json!({
        "version": 8,
        "name": "liuyu 流域",
        "metadata": {"liuyu:data_version": source.version, "liuyu:legend": legend},
        "center": [112.3, 31.0],
        "zoom": 6,
        "sources": {
            "hubei": {"type": "vector", "url": format!("{base}/tiles/hubei.json")}
        },
        "glyphs": format!("{base}/fonts/{{fontstack}}/{{range}}.pbf"),
        "sprite": format!("{base}/sprite/liuyu"),
        "layers": layers,
    })
}
