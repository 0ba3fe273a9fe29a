//! The MapLibre style (地图样式) at `/style.json`: zones coloured by first-level
//! basin, prefecture and county lines, metro and cluster outlines, the corridor,
//! rivers and lakes when present, Chinese labels.

use serde_json::{json, Value};

use crate::tiles::source::MapSource;

/// Fill colours of the second-level zones (二级流域片区), by zone id; blues for
/// 长江 (C*), greens for 汉江 (H*), orange for 清江 (Q1).
pub const ZONE_COLOURS: [(&str, &str); 16] = [
    ("C1", "#c6dbef"),
    ("C2", "#9ecae1"),
    ("C3", "#6baed6"),
    ("C4", "#b3cde3"),
    ("C5", "#8cb4d9"),
    ("C6", "#a6cee3"),
    ("C7", "#7fb2d8"),
    ("C8", "#d0e1f2"),
    ("H1", "#c7e9c0"),
    ("H2", "#a1d99b"),
    ("H3", "#74c476"),
    ("H4", "#b8e0a8"),
    ("H5", "#8fd18a"),
    ("H6", "#d9f0d3"),
    ("H7", "#9dd08e"),
    ("Q1", "#fdd0a2"),
];

/// First-level basin (一级流域) colours, used for zones without their own colour and the legend.
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

fn group(id: &str, zh: &str, en: &str) -> Value {
    json!({ "liuyu:group": { "id": id, "zh": zh, "en": en } })
}

/// The style for a source, with URLs under `base` (scheme + host of the request).
pub fn style(source: &MapSource, base: &str) -> Value {
    let has = |id: &str| source.layer(id).is_some();
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

    let mut layers = vec![
        json!({"id": "background", "type": "background", "paint": {"background-color": "#f4f2ee"}}),
    ];
    let mut legend: Vec<Value> = Vec::new();
    if has("zones") {
        layers.push(
            json!({"id": "zones-fill", "type": "fill", "source": "hubei", "source-layer": "zones",
            "metadata": group("zones", "二级流域片区", "Basin zones"),
            "paint": {"fill-color": Value::Array(zone_match), "fill-opacity": 1.0}}),
        );
        for (_, c, zh, en) in BASIN_COLOURS {
            legend.push(json!({"shape": "fill", "color": c, "zh": zh, "en": en}));
        }
        legend.push(json!({"shape": "note", "color": "transparent", "zh": "片区边界为重建（县界合成）", "en": "zone extents are reconstructed from whole counties"}));
    }
    if has("lakes") {
        layers.push(json!({"id": "lakes-fill", "type": "fill", "source": "hubei", "source-layer": "lakes",
            "metadata": group("lakes", "湖泊", "Lakes"), "paint": {"fill-color": "#4a90c8", "fill-outline-color": "#2c6ea4"}}));
        legend.push(json!({"shape": "fill", "color": "#4a90c8", "zh": "湖泊", "en": "Lakes"}));
    }
    if has("counties") {
        layers.push(json!({"id": "counties-line", "type": "line", "source": "hubei", "source-layer": "counties",
            "metadata": group("counties", "县级界线", "County lines"), "minzoom": 5,
            "paint": {"line-color": "#8c8c8c", "line-width": ["interpolate", ["linear"], ["zoom"], 5, 0.3, 10, 1.2]}}));
        legend.push(
            json!({"shape": "line", "color": "#8c8c8c", "zh": "县级界线", "en": "County boundary"}),
        );
    }
    if has("basins") {
        layers.push(
            json!({"id": "basins-line", "type": "line", "source": "hubei", "source-layer": "basins",
            "metadata": group("basins", "一级流域界线", "Basin lines"),
            "paint": {"line-color": "#1f5f8b", "line-width": 2.2, "line-opacity": 0.8}}),
        );
        legend.push(json!({"shape": "line", "color": "#1f5f8b", "zh": "一级流域界线", "en": "Basin boundary"}));
    }
    if has("prefectures") {
        layers.push(json!({"id": "prefectures-line", "type": "line", "source": "hubei", "source-layer": "prefectures",
            "metadata": group("prefectures", "地级界线", "Prefecture lines"),
            "paint": {"line-color": "#444444", "line-width": ["interpolate", ["linear"], ["zoom"], 5, 0.8, 10, 2.2]}}));
        legend.push(json!({"shape": "line", "color": "#444444", "zh": "地级界线", "en": "Prefecture boundary"}));
    }
    if has("province") {
        layers.push(json!({"id": "province-line", "type": "line", "source": "hubei", "source-layer": "province",
            "metadata": group("province", "省界", "Province outline"),
            "paint": {"line-color": "#222222", "line-width": 2.5}}));
    }
    if has("rivers") {
        layers.push(json!({"id": "rivers-line", "type": "line", "source": "hubei", "source-layer": "rivers",
            "metadata": group("rivers", "河流", "Rivers"),
            "paint": {"line-color": "#2b7bba", "line-width": ["interpolate", ["linear"], ["zoom"], 5, 1.0, 10, 2.5]}}));
        layers.push(json!({"id": "rivers-arrows", "type": "symbol", "source": "hubei", "source-layer": "rivers",
            "metadata": group("rivers", "河流", "Rivers"), "minzoom": 7,
            "layout": {"symbol-placement": "line", "symbol-spacing": 120, "icon-image": "arrow",
                       "icon-rotation-alignment": "map", "icon-allow-overlap": true, "icon-size": 0.9}}));
        legend.push(json!({"shape": "line", "color": "#2b7bba", "zh": "河流（箭头示流向）", "en": "Rivers (arrows: flow)"}));
    }
    if has("metro_areas") {
        layers.push(json!({"id": "metro-line", "type": "line", "source": "hubei", "source-layer": "metro_areas",
            "metadata": group("metro_areas", "都市圈", "Metro areas"),
            "paint": {"line-color": "#7b3294", "line-width": 2.5, "line-dasharray": [3, 2]}}));
        legend
            .push(json!({"shape": "dash", "color": "#7b3294", "zh": "都市圈", "en": "Metro area"}));
    }
    if has("city_clusters") {
        layers.push(json!({"id": "clusters-line", "type": "line", "source": "hubei", "source-layer": "city_clusters",
            "metadata": group("city_clusters", "城市群", "City clusters"), "layout": {"visibility": "none"},
            "paint": {"line-color": "#d95f02", "line-width": 2.5, "line-dasharray": [1, 2]}}));
        legend.push(
            json!({"shape": "dash", "color": "#d95f02", "zh": "城市群", "en": "City cluster"}),
        );
    }
    if has("corridors") {
        layers.push(json!({"id": "corridors-line", "type": "line", "source": "hubei", "source-layer": "corridors",
            "metadata": group("corridors", "大气污染传输通道", "Corridors"),
            "paint": {"line-color": "#e31a1c", "line-width": 2.5}}));
        legend.push(
            json!({"shape": "line", "color": "#e31a1c", "zh": "襄荆荆宜大气污染传输通道", "en": "Corridor"}),
        );
    }
    if has("counties") {
        // The county under the last click, drawn above every boundary line.
        layers.push(json!({"id": "county-highlight", "type": "line", "source": "hubei", "source-layer": "counties",
            "filter": ["==", ["get", "id"], ""], "paint": {"line-color": "#c0392b", "line-width": 3}}));
    }
    if has("rivers") {
        // The reaches of the last upstream/downstream answer (the page sets
        // the filter to their edge ids); drawn over every boundary line.
        layers.push(
            json!({"id": "nav-line", "type": "line", "source": "hubei", "source-layer": "rivers",
            "filter": ["in", ["get", "id"], ["literal", []]],
            "paint": {"line-color": "#ff7f00", "line-width": 4}}),
        );
    }
    if has("labels") {
        layers.push(json!({"id": "labels-prefecture", "type": "symbol", "source": "hubei", "source-layer": "labels",
            "metadata": group("labels", "注记", "Labels"), "filter": ["==", ["get", "kind"], "prefecture"], "minzoom": 5, "maxzoom": 9,
            "layout": {"text-field": ["get", "name"], "text-font": ["Noto Sans Regular"], "text-size": 14},
            "paint": {"text-color": "#222222", "text-halo-color": "#ffffff", "text-halo-width": 1.5}}));
        layers.push(json!({"id": "labels-county", "type": "symbol", "source": "hubei", "source-layer": "labels",
            "metadata": group("labels", "注记", "Labels"), "filter": ["==", ["get", "kind"], "county"], "minzoom": 8,
            "layout": {"text-field": ["get", "name"], "text-font": ["Noto Sans Regular"], "text-size": 12},
            "paint": {"text-color": "#333333", "text-halo-color": "#ffffff", "text-halo-width": 1.2}}));
    }
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
