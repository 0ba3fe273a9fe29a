use std::time::Instant;
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10000);
    let (cx, cy, r) = (114.3f64, 30.6f64, 0.5f64);
    let mut pts: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let a = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
            [cx + r * a.cos() / cy.to_radians().cos(), cy + r * a.sin()]
        })
        .collect();
    pts.push(pts[0]);
    let v = serde_json::json!({"type":"Polygon","coordinates":[pts]});
    let atlas = liuyu::Atlas::embedded().unwrap();
    let t = Instant::now();
    let fp = liuyu::governance::footprint::parse(&v, "f", 200_000).unwrap();
    println!("parse+validate {:?}", t.elapsed());
    let t = Instant::now();
    let _ = liuyu::governance::jurisdiction::of_footprint(&atlas, &fp, &liuyu::Budget::unlimited())
        .unwrap();
    println!("overlay {:?}", t.elapsed());
}
