//! Derived centreline (中心线) of the 长江 below Wuhan, where WDBII has only the
//! GSHHS river-lake polygon.
//!
//! Method: a discrete medial path (see [`derive_centreline`]): least-cost path
//! through a 100 m raster of the polygon, cost inversely proportional to the
//! squared distance from the bank. GSHHS islands are separate polygons and are
//! not subtracted, so the path follows the middle of the whole channel.
use super::geom::{from_xy, km, to_xy};

type P = (f64, f64);

/// A closed ring of (lon, lat) vertices with a bounding box.
#[derive(Debug, Clone)]
pub struct Ring {
    /// Vertices (first may equal last).
    pub pts: Vec<P>,
    bbox: (f64, f64, f64, f64),
}

impl Ring {
    /// Creates a ring.
    pub fn new(pts: Vec<P>) -> Ring {
        let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in &pts {
            b = (b.0.min(p.0), b.1.min(p.1), b.2.max(p.0), b.3.max(p.1));
        }
        Ring { pts, bbox: b }
    }

    fn segments(&self) -> impl Iterator<Item = (P, P)> + '_ {
        let n = self.pts.len();
        (0..n).map(move |i| (self.pts[i], self.pts[(i + 1) % n]))
    }

    /// Even-odd containment.
    pub fn contains(&self, p: P) -> bool {
        if p.0 < self.bbox.0 || p.0 > self.bbox.2 || p.1 < self.bbox.1 || p.1 > self.bbox.3 {
            return false;
        }
        let mut inside = false;
        for (a, b) in self.segments() {
            if (a.1 > p.1) != (b.1 > p.1) {
                let x = a.0 + (p.1 - a.1) * (b.0 - a.0) / (b.1 - a.1);
                if p.0 < x {
                    inside = !inside;
                }
            }
        }
        inside
    }

    /// Distance from `p` to the outline in km; segments whose box is further than
    /// `cutoff_km` are skipped (the result is then a lower bound above the cutoff).
    pub fn distance_km(&self, p: P, cutoff_km: f64) -> f64 {
        let dlat = cutoff_km / 110.0;
        let dlon = cutoff_km / 80.0;
        if p.0 < self.bbox.0 - dlon
            || p.0 > self.bbox.2 + dlon
            || p.1 < self.bbox.1 - dlat
            || p.1 > self.bbox.3 + dlat
        {
            return f64::INFINITY;
        }
        let mut best = f64::INFINITY;
        for (a, b) in self.segments() {
            if (p.0 < a.0.min(b.0) - dlon)
                || (p.0 > a.0.max(b.0) + dlon)
                || (p.1 < a.1.min(b.1) - dlat)
                || (p.1 > a.1.max(b.1) + dlat)
            {
                continue;
            }
            best = best.min(super::geom::project_on_segment(p, a, b).0);
        }
        best
    }
}

/// Raster cell size of the medial path search, km.
const CELL_KM: f64 = 0.1;

/// Derives the centreline between `start` and `end` through `polygon`.
///
/// Method (a discrete medial path): rasterise the polygon on a `CELL_KM` grid in
/// a local equirectangular frame, compute each wet cell's distance to the nearest
/// dry cell (two-pass chamfer 3-4 distance transform), then take the least-cost
/// 8-connected path from the cell of `start` to the cell of `end` with step cost
/// `length / clearance²`. The path keeps to the middle of the channel, ignores dead-end
/// arms and attached lakes (they do not lead to the outlet), and passes islands on
/// the wider side. The path is thinned to one vertex per `step_km`.
pub fn derive_centreline(
    polygon: &[P],
    start: P,
    end: P,
    step_km: f64,
    margin_km: f64,
) -> Result<Vec<P>, String> {
    if polygon.len() < 4 || step_km <= 0.0 {
        return Err("degenerate polygon or step".into());
    }
    let lat0 = (start.1 + end.1) / 2.0;
    let s = to_xy(start, lat0);
    let e = to_xy(end, lat0);
    let poly: Vec<P> = polygon.iter().map(|&p| to_xy(p, lat0)).collect();
    // raster window: the box of start/end plus the margin
    let x0 = s.0.min(e.0) - margin_km;
    let x1 = s.0.max(e.0) + margin_km;
    let (mut y0, mut y1) = (s.1.min(e.1) - margin_km, s.1.max(e.1) + margin_km);
    // include the polygon's extent between x0 and x1 (the river may bulge north/south)
    for p in &poly {
        if p.0 >= x0 && p.0 <= x1 {
            y0 = y0.min(p.1);
            y1 = y1.max(p.1);
        }
    }
    let nx = ((x1 - x0) / CELL_KM).ceil() as usize + 1;
    let ny = ((y1 - y0) / CELL_KM).ceil() as usize + 1;
    if nx * ny > 20_000_000 {
        return Err(format!("raster too large: {nx} x {ny}"));
    }
    let mut wet = vec![false; nx * ny];
    let k = poly.len();
    let mut xs: Vec<f64> = Vec::new();
    for j in 0..ny {
        let y = y0 + (j as f64 + 0.5) * CELL_KM;
        xs.clear();
        for i in 0..k {
            let a = poly[i];
            let b = poly[(i + 1) % k];
            if (a.1 > y) != (b.1 > y) {
                xs.push(a.0 + (y - a.1) * (b.0 - a.0) / (b.1 - a.1));
            }
        }
        xs.sort_by(f64::total_cmp);
        for pair in xs.chunks_exact(2) {
            let i0 = (((pair[0] - x0) / CELL_KM) - 0.5).ceil().max(0.0) as usize;
            let i1 = (((pair[1] - x0) / CELL_KM) - 0.5).floor();
            if i1 < 0.0 {
                continue;
            }
            let i1 = (i1 as usize).min(nx - 1);
            for i in i0..=i1.min(nx - 1) {
                if i0 <= i1 {
                    wet[j * nx + i] = true;
                }
            }
        }
    }
    // chamfer distance transform (units: 3 per cell edge)
    let inf = u32::MAX / 4;
    let mut dist: Vec<u32> = wet.iter().map(|&w| if w { inf } else { 0 }).collect();
    let idx = |i: usize, j: usize| j * nx + i;
    for j in 0..ny {
        for i in 0..nx {
            let mut d = dist[idx(i, j)];
            if d == 0 {
                continue;
            }
            if i > 0 {
                d = d.min(dist[idx(i - 1, j)] + 3);
            }
            if j > 0 {
                d = d.min(dist[idx(i, j - 1)] + 3);
                if i > 0 {
                    d = d.min(dist[idx(i - 1, j - 1)] + 4);
                }
                if i + 1 < nx {
                    d = d.min(dist[idx(i + 1, j - 1)] + 4);
                }
            }
            dist[idx(i, j)] = d;
        }
    }
    for j in (0..ny).rev() {
        for i in (0..nx).rev() {
            let mut d = dist[idx(i, j)];
            if d == 0 {
                continue;
            }
            if i + 1 < nx {
                d = d.min(dist[idx(i + 1, j)] + 3);
            }
            if j + 1 < ny {
                d = d.min(dist[idx(i, j + 1)] + 3);
                if i + 1 < nx {
                    d = d.min(dist[idx(i + 1, j + 1)] + 4);
                }
                if i > 0 {
                    d = d.min(dist[idx(i - 1, j + 1)] + 4);
                }
            }
            dist[idx(i, j)] = d;
        }
    }
    let cell_of = |p: P| -> Option<usize> {
        let i = ((p.0 - x0) / CELL_KM).floor();
        let j = ((p.1 - y0) / CELL_KM).floor();
        if i < 0.0 || j < 0.0 || i as usize >= nx || j as usize >= ny {
            return None;
        }
        Some(idx(i as usize, j as usize))
    };
    // nearest wet cell to a point (search a small window)
    let nearest_wet = |p: P| -> Option<usize> {
        let c = cell_of(p)?;
        let (ci, cj) = ((c % nx) as i64, (c / nx) as i64);
        let mut best: Option<(i64, usize)> = None;
        let r = (2.0 / CELL_KM) as i64;
        for dj in -r..=r {
            for di in -r..=r {
                let (i, j) = (ci + di, cj + dj);
                if i < 0 || j < 0 || i >= nx as i64 || j >= ny as i64 {
                    continue;
                }
                let q = idx(i as usize, j as usize);
                if wet[q] && best.is_none_or(|b| di * di + dj * dj < b.0) {
                    best = Some((di * di + dj * dj, q));
                }
            }
        }
        best.map(|b| b.1)
    };
    let sc = nearest_wet(s).ok_or("start is not within 2 km of the river-lake polygon")?;
    let ec = nearest_wet(e).ok_or("end is not within 2 km of the river-lake polygon")?;
    // Dijkstra
    let mut cost = vec![f64::INFINITY; nx * ny];
    let mut prev = vec![usize::MAX; nx * ny];
    let mut heap = std::collections::BinaryHeap::new();
    cost[sc] = 0.0;
    heap.push(Item(0.0, sc));
    while let Some(Item(c, u)) = heap.pop() {
        if c > cost[u] {
            continue;
        }
        if u == ec {
            break;
        }
        let (ui, uj) = ((u % nx) as i64, (u / nx) as i64);
        for (di, dj, len) in [
            (1, 0, 1.0),
            (-1, 0, 1.0),
            (0, 1, 1.0),
            (0, -1, 1.0),
            (1, 1, std::f64::consts::SQRT_2),
            (1, -1, std::f64::consts::SQRT_2),
            (-1, 1, std::f64::consts::SQRT_2),
            (-1, -1, std::f64::consts::SQRT_2),
        ] {
            let (i, j) = (ui + di, uj + dj);
            if i < 0 || j < 0 || i >= nx as i64 || j >= ny as i64 {
                continue;
            }
            let v = idx(i as usize, j as usize);
            if !wet[v] {
                continue;
            }
            let clearance = dist[v] as f64 / 3.0;
            let nc = c + len / (clearance * clearance);
            if nc < cost[v] {
                cost[v] = nc;
                prev[v] = u;
                heap.push(Item(nc, v));
            }
        }
    }
    if !cost[ec].is_finite() {
        return Err("no wet path from start to end".into());
    }
    let mut cells = vec![ec];
    let mut cur = ec;
    while cur != sc {
        cur = prev[cur];
        cells.push(cur);
    }
    cells.reverse();
    let centre = |c: usize| {
        (
            x0 + ((c % nx) as f64 + 0.5) * CELL_KM,
            y0 + ((c / nx) as f64 + 0.5) * CELL_KM,
        )
    };
    // thin to about one vertex per step, with a 5-cell moving average
    let raw: Vec<P> = cells.iter().map(|&c| centre(c)).collect();
    let n = raw.len();
    let mut out = vec![start];
    let mut acc = 0.0;
    for i in 1..n.saturating_sub(1) {
        acc += CELL_KM;
        if acc >= step_km {
            acc = 0.0;
            let lo = i.saturating_sub(2);
            let hi = (i + 3).min(n);
            let m = raw[lo..hi]
                .iter()
                .fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
            let c = (hi - lo) as f64;
            out.push(from_xy((m.0 / c, m.1 / c), lat0));
        }
    }
    if out.len() > 1 && km(*out.last().unwrap_or(&end), end) < step_km / 2.0 {
        out.pop();
    }
    out.push(end);
    Ok(out)
}

#[derive(PartialEq)]
struct Item(f64, usize);
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn straight_channel_centreline_is_the_middle() {
        // a 2 km wide channel along 30.0 N from 114.0 to 114.5 E
        let h = 1.0 / 111.2; // 1 km in degrees of latitude
        let poly = vec![
            (113.9, 30.0 - h),
            (114.6, 30.0 - h),
            (114.6, 30.0 + h),
            (113.9, 30.0 + h),
        ];
        let line =
            derive_centreline(&poly, (114.0, 30.0 + 0.5 * h), (114.5, 30.0), 0.5, 8.0).unwrap();
        assert!(line.len() > 80);
        for p in &line[3..line.len() - 1] {
            assert!((p.1 - 30.0).abs() < 0.1 * h, "{p:?}");
        }
    }

    #[test]
    fn ring_contains_and_distance() {
        let r = Ring::new(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]);
        assert!(r.contains((0.5, 0.5)));
        assert!(!r.contains((1.5, 0.5)));
        let d = r.distance_km((1.01, 0.5), 10.0);
        assert!((d - 1.11).abs() < 0.02, "{d}");
    }
}
