//! 羽流 (plume): the region the air from a source may reach with the user's
//! wind, and when — a kinematic sector/trajectory estimate, built in the
//! source's azimuthal-equidistant frame ([`super::frame`]).
//!
//! **The model.** In one step `k` the air moves at the step's speed within
//! ±spread of the downwind direction, so from one point it can reach the
//! sector `C_k` (apex at the point, radius `speed · duration`). The source
//! keeps emitting, and every parcel already out is carried on: the region
//! reached after step `k` is `P_{k+1} = P_k ⊕ C_k` (the union of the sectors
//! swept from every point of `P_k`: a Minkowski sum), with `P_0` the source.
//! With a steady wind the sum of the hourly sectors is the single sector of
//! radius `speed · hours`; with a veering wind the sectors add up to a plume
//! that bends round and reaches places a steady wind misses.
//!
//! **Arrival time.** Support functions add under Minkowski sums, so for a
//! direction `u`, `h_{P(t)}(u) = h_Q(u) + Σ h_{C_i}(u)` (the last step
//! scaled by its elapsed fraction): piecewise linear and non-decreasing in
//! `t`. A point is inside `P(t)` iff `<x, u> ≤ h_{P(t)}(u)` for every edge
//! normal `u` of the plume, so its arrival time is the largest, over those
//! normals, of the time each constraint is first met ([`Piece::arrival`]).
//! The normals are thinned to gaps of at most [`NORMAL_GAP_DEG`] (a relative
//! error below 4·10⁻⁴ on arrival times).

use super::frame::Xy;
use super::wind::Wind;

/// Largest gap between the edge normals used for arrival times (degrees).
pub const NORMAL_GAP_DEG: f64 = 3.0;
/// Largest distance between a sampled arc and the true circle (m).
pub const ARC_SAG_M: f64 = 10.0;

fn add(a: Xy, b: Xy) -> Xy {
    [a[0] + b[0], a[1] + b[1]]
}
fn sub(a: Xy, b: Xy) -> Xy {
    [a[0] - b[0], a[1] - b[1]]
}
/// Cross product (z component).
pub fn cross(a: Xy, b: Xy) -> f64 {
    a[0] * b[1] - a[1] * b[0]
}
/// Dot product.
pub fn dot(a: Xy, b: Xy) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}
fn norm(a: Xy) -> f64 {
    a[0].hypot(a[1])
}
/// The unit vector at math angle `deg` (counter-clockwise from east).
fn unit(deg: f64) -> Xy {
    let (s, c) = deg.to_radians().sin_cos();
    [c, s]
}

/// A convex polygon in the frame, counter-clockwise, without repeating the
/// first vertex; one vertex is a point, two a segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Convex(pub Vec<Xy>);

impl Convex {
    /// The support function `h(u) = max <v, u>`.
    pub fn support(&self, u: Xy) -> f64 {
        self.0
            .iter()
            .map(|v| dot(*v, u))
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// Outward unit normals of the edges, in counter-clockwise order.
    pub fn normals(&self) -> Vec<Xy> {
        let n = self.0.len();
        if n < 2 {
            return Vec::new();
        }
        (0..n)
            .filter_map(|i| {
                let e = sub(self.0[(i + 1) % n], self.0[i]);
                let l = norm(e);
                (l > 0.0).then(|| [e[1] / l, -e[0] / l])
            })
            .collect()
    }

    /// Area (m², in the frame).
    pub fn area(&self) -> f64 {
        ring_area(&self.0)
    }

    /// Whether `x` lies inside or on the polygon (within `tol` metres).
    pub fn contains(&self, x: Xy, tol: f64) -> bool {
        let n = self.0.len();
        match n {
            0 => false,
            1 => norm(sub(x, self.0[0])) <= tol,
            2 => segment_distance(x, self.0[0], self.0[1]) <= tol,
            _ => (0..n).all(|i| {
                let (a, b) = (self.0[i], self.0[(i + 1) % n]);
                let e = sub(b, a);
                cross(e, sub(x, a)) >= -tol * norm(e)
            }),
        }
    }

    /// The Minkowski sum (闵可夫斯基和) `self ⊕ other`, by merging the edges
    /// of both in angular order; collinear and repeated vertices are dropped.
    pub fn minkowski(&self, other: &Convex) -> Convex {
        let (p, q) = (rotate_to_bottom(&self.0), rotate_to_bottom(&other.0));
        let (n, m) = (p.len(), q.len());
        if n == 0 || m == 0 {
            return Convex(Vec::new());
        }
        let mut out = Vec::with_capacity(n + m);
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            out.push(add(p[i % n], q[j % m]));
            let ep = sub(p[(i + 1) % n], p[i % n]);
            let eq = sub(q[(j + 1) % m], q[j % m]);
            match (i < n, j < m) {
                (true, false) => i += 1,
                (false, true) => j += 1,
                _ => match angle_order(ep, eq) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        i += 1;
                        j += 1;
                    }
                },
            }
        }
        Convex(cleaned(out))
    }
}

/// Order of two edge vectors by angle in [0, 2π) (a zero vector sorts first,
/// with everything: it is the edge of a point).
fn angle_order(a: Xy, b: Xy) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    if norm(a) == 0.0 || norm(b) == 0.0 {
        return Ordering::Equal;
    }
    let half = |v: Xy| u8::from(!(v[1] > 0.0 || (v[1] == 0.0 && v[0] > 0.0)));
    match half(a).cmp(&half(b)) {
        Ordering::Equal => {
            let c = cross(a, b);
            let tol = 1e-12 * norm(a) * norm(b);
            if c > tol {
                Ordering::Less
            } else if c < -tol {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        o => o,
    }
}

fn rotate_to_bottom(v: &[Xy]) -> Vec<Xy> {
    let Some(start) = (0..v.len()).min_by(|&a, &b| {
        (v[a][1], v[a][0])
            .partial_cmp(&(v[b][1], v[b][0]))
            .unwrap_or(std::cmp::Ordering::Equal)
    }) else {
        return Vec::new();
    };
    v[start..].iter().chain(&v[..start]).copied().collect()
}

/// Drops repeated vertices and vertices on a straight run.
fn cleaned(v: Vec<Xy>) -> Vec<Xy> {
    let mut out: Vec<Xy> = Vec::with_capacity(v.len());
    for p in v {
        if out.last().is_none_or(|l| norm(sub(p, *l)) > 1e-6) {
            out.push(p);
        }
    }
    while out.len() > 1 && norm(sub(out[0], out[out.len() - 1])) <= 1e-6 {
        out.pop();
    }
    if out.len() < 3 {
        return out;
    }
    let mut changed = true;
    while changed && out.len() >= 3 {
        changed = false;
        let n = out.len();
        let keep: Vec<bool> = (0..n)
            .map(|i| {
                let (a, b, c) = (out[(i + n - 1) % n], out[i], out[(i + 1) % n]);
                let (e1, e2) = (sub(b, a), sub(c, b));
                let straight = cross(e1, e2).abs() <= 1e-12 * norm(e1) * norm(e2);
                !(straight && dot(e1, e2) > 0.0)
            })
            .collect();
        if keep.iter().any(|k| !k) {
            changed = true;
            out = out
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(p, _)| *p)
                .collect();
        }
    }
    out
}

fn segment_distance(x: Xy, a: Xy, b: Xy) -> f64 {
    let e = sub(b, a);
    let l2 = dot(e, e);
    let t = if l2 == 0.0 {
        0.0
    } else {
        (dot(sub(x, a), e) / l2).clamp(0.0, 1.0)
    };
    norm(sub(x, [a[0] + t * e[0], a[1] + t * e[1]]))
}

/// Shoelace area of a ring (positive when counter-clockwise).
pub fn ring_area(r: &[Xy]) -> f64 {
    let n = r.len();
    if n < 3 {
        return 0.0;
    }
    (0..n).map(|i| cross(r[i], r[(i + 1) % n])).sum::<f64>() / 2.0
}

/// The arc sampling step (degrees) for a plume reaching `travel_m`: a
/// division of the circle by a power of two (so the arcs of all steps share
/// directions and their sums stay small) fine enough for [`ARC_SAG_M`].
pub fn arc_step_deg(travel_m: f64) -> f64 {
    let max = if travel_m <= ARC_SAG_M {
        180.0
    } else {
        2.0 * (1.0 - ARC_SAG_M / travel_m).acos().to_degrees()
    };
    let mut g = 360.0 / 64.0;
    while g > max && g > 360.0 / 8192.0 {
        g /= 2.0;
    }
    g
}

/// The sector (扇区) swept in one step: apex at the origin, axis toward
/// `toward` (degrees clockwise from north), half-angle `spread`, radius `r`
/// (m); the arc sampled at multiples of `step_deg` plus its two ends.
pub fn sector(toward: f64, spread: f64, r: f64, step_deg: f64) -> Convex {
    if r <= 0.0 {
        return Convex(vec![[0.0, 0.0]]);
    }
    let centre = 90.0 - toward;
    let (lo, hi) = (centre - spread, centre + spread);
    let mut v = vec![[0.0, 0.0]];
    let scaled = |a: f64| {
        let u = unit(a);
        [r * u[0], r * u[1]]
    };
    v.push(scaled(lo));
    let first = (lo / step_deg).floor() as i64 + 1;
    let mut k = first;
    while (k as f64) * step_deg < hi - 1e-9 {
        let a = k as f64 * step_deg;
        if a > lo + 1e-9 {
            v.push(scaled(a));
        }
        k += 1;
    }
    v.push(scaled(hi));
    Convex(cleaned(v))
}

/// The support function of a [`sector`] (at least 0: it holds its apex), by
/// bisection along its arc: the arc's edges turn through at most 180°, so
/// `<v, u>` along it rises then falls, or is monotone, or falls then rises.
fn sector_support(c: &Convex, u: Xy) -> f64 {
    let arc: &[Xy] = match c.0.first() {
        Some(p) if *p == [0.0, 0.0] => &c.0[1..],
        _ => &c.0,
    };
    let n = arc.len();
    if n < 2 {
        return arc.first().map_or(0.0, |v| dot(*v, u).max(0.0));
    }
    let rises = |i: usize| dot(sub(arc[i + 1], arc[i]), u) >= 0.0;
    let ends = dot(arc[0], u).max(dot(arc[n - 1], u));
    let peak = if rises(0) && !rises(n - 2) {
        // The first edge that falls ends the rise.
        let (mut lo, mut hi) = (0, n - 2);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if rises(mid) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        dot(arc[lo], u)
    } else {
        f64::NEG_INFINITY
    };
    ends.max(peak).max(0.0)
}

/// One direction used for arrival times: its cumulative support values at
/// the step boundaries (`cum[k]` = how far the plume has advanced along `u`
/// after `k` steps).
#[derive(Debug, Clone)]
struct Direction {
    u: Xy,
    cum: Vec<f64>,
}

/// The wind turned into geometry: the step sectors, their sum (the reach of
/// one point) and the time table of every plume normal.
#[derive(Debug, Clone)]
pub struct Model {
    starts: Vec<f64>,
    durations: Vec<f64>,
    sectors: Vec<Convex>,
    /// Sum of all the step sectors: where air from one point may go.
    pub reach: Convex,
    directions: Vec<Direction>,
    /// Total hours.
    pub hours: f64,
    /// Arc sampling step (degrees).
    pub arc_step_deg: f64,
}

impl Model {
    /// Builds the model of a validated wind.
    pub fn new(wind: &Wind) -> Model {
        let step = arc_step_deg(wind.travel_m());
        let sectors: Vec<Convex> = wind
            .steps
            .iter()
            .map(|s| sector(s.toward, wind.spread_deg, s.travel_km * 1000.0, step))
            .collect();
        let mut reach = Convex(vec![[0.0, 0.0]]);
        for c in &sectors {
            if c.0.len() > 1 {
                reach = reach.minkowski(c);
            }
        }
        let mut m = Model {
            starts: wind.steps.iter().map(|s| s.hour).collect(),
            durations: wind.steps.iter().map(|s| s.hours).collect(),
            sectors,
            directions: Vec::new(),
            hours: wind.hours,
            arc_step_deg: step,
            reach,
        };
        m.directions = thinned(&m.reach.normals(), NORMAL_GAP_DEG)
            .into_iter()
            .map(|u| m.direction(u))
            .collect();
        m
    }

    fn direction(&self, u: Xy) -> Direction {
        let mut cum = Vec::with_capacity(self.sectors.len() + 1);
        let mut acc = 0.0;
        cum.push(0.0);
        for c in &self.sectors {
            acc += sector_support(c, u);
            cum.push(acc);
        }
        Direction { u, cum }
    }

    /// A source piece (a point, a segment or a convex polygon of the source)
    /// with its plume `piece ⊕ reach`.
    pub fn piece(&self, source: Convex) -> Piece<'_> {
        let plume = source.minkowski(&self.reach);
        let extra: Vec<Direction> = source
            .normals()
            .into_iter()
            .map(|u| self.direction(u))
            .collect();
        let offsets = self
            .directions
            .iter()
            .chain(&extra)
            .map(|d| source.support(d.u))
            .collect();
        Piece {
            model: self,
            source,
            plume,
            extra,
            offsets,
        }
    }

    /// When the plume's advance along one direction first reaches `d` (hours;
    /// infinite when it never does within the period).
    fn time_to(&self, cum: &[f64], d: f64) -> f64 {
        if d <= 0.0 {
            return 0.0;
        }
        let total = cum[cum.len() - 1];
        let d = if d <= total {
            d
        } else if d <= total * (1.0 + 1e-9) + 1e-6 {
            // On the plume's edge, up to rounding (or on a side that never moves).
            if total <= 0.0 {
                return 0.0;
            }
            total
        } else {
            return f64::INFINITY;
        };
        let k1 = cum.partition_point(|&c| c < d);
        let k = k1 - 1;
        let (a, b) = (cum[k], cum[k1]);
        self.starts[k] + self.durations[k] * (d - a) / (b - a)
    }
}

/// Keeps normals so that consecutive kept ones are at most `gap_deg` apart
/// (or were already further apart in the input).
fn thinned(normals: &[Xy], gap_deg: f64) -> Vec<Xy> {
    let cos_gap = gap_deg.to_radians().cos();
    let mut out: Vec<Xy> = Vec::new();
    for (i, u) in normals.iter().enumerate() {
        let Some(last) = out.last().copied() else {
            out.push(*u);
            continue;
        };
        let next_too_far = normals
            .get(i + 1)
            .is_none_or(|n| dot(*n, last) < cos_gap || cross(last, *n) < 0.0);
        if dot(*u, last) < cos_gap || next_too_far {
            out.push(*u);
        }
    }
    out
}

/// One convex piece of the source with its plume and arrival-time function.
#[derive(Debug, Clone)]
pub struct Piece<'m> {
    model: &'m Model,
    /// The piece of the source.
    pub source: Convex,
    /// `source ⊕ reach`: where its air may go within the period.
    pub plume: Convex,
    extra: Vec<Direction>,
    /// `h_source(u)` for each direction (the model's, then `extra`).
    offsets: Vec<f64>,
}

impl Piece<'_> {
    /// The largest of `time` over every direction, or `None` as soon as one
    /// reaches `bound` (the point cannot beat the best so far). `hint`, the
    /// direction that decided last time, is tried first: neighbouring
    /// vertices are decided by the same direction, so most stop at once.
    fn max_below(
        &self,
        bound: f64,
        hint: &mut usize,
        time: impl Fn(&Direction, f64) -> f64,
    ) -> Option<f64> {
        let own = self.model.directions.len();
        let n = own + self.extra.len();
        let mut best: f64 = 0.0;
        let mut arg = *hint % n.max(1);
        for k in 0..n {
            let i = (*hint + k) % n;
            let d = if i < own {
                &self.model.directions[i]
            } else {
                &self.extra[i - own]
            };
            let t = time(d, self.offsets[i]);
            if t >= bound {
                *hint = i;
                return None;
            }
            if t > best {
                (best, arg) = (t, i);
            }
        }
        *hint = arg;
        Some(best)
    }

    /// Arrival time (到达时间, hours) of the air at `x`: 0 on the source,
    /// infinite outside the plume.
    pub fn arrival(&self, x: Xy) -> f64 {
        self.arrival_below(x, f64::INFINITY, &mut 0)
            .unwrap_or(f64::INFINITY)
    }

    fn arrival_below(&self, x: Xy, bound: f64, hint: &mut usize) -> Option<f64> {
        self.max_below(bound, hint, |d, h| {
            self.model.time_to(&d.cum, dot(x, d.u) - h)
        })
    }

    /// Whether the arrival anywhere on the segment `a`–`b` may be below
    /// `bound`: a lower bound (each constraint at its nearer end) is.
    fn may_beat(&self, a: Xy, b: Xy, bound: f64, hint: &mut usize) -> bool {
        self.max_below(bound, hint, |d, h| {
            let reach = (dot(a, d.u) - h).min(dot(b, d.u) - h);
            self.model.time_to(&d.cum, reach)
        })
        .is_some()
    }

    /// The earliest arrival on a set of rings (the part of a unit inside the
    /// plume) and where: every vertex, then each edge whose lower bound beats
    /// the best so far, searched by golden section (the arrival time is
    /// quasi-convex: unimodal along a segment).
    pub fn earliest(&self, rings: &[Vec<Xy>]) -> Option<(f64, Xy)> {
        let (mut bt, mut bx) = (f64::INFINITY, [0.0, 0.0]);
        let mut hint = 0;
        for v in rings.iter().flatten() {
            if let Some(t) = self.arrival_below(*v, bt, &mut hint) {
                (bt, bx) = (t, *v);
            }
        }
        if bt.is_infinite() {
            return None;
        }
        for r in rings {
            let n = r.len();
            for i in 0..n {
                let (a, b) = (r[i], r[(i + 1) % n]);
                if self.may_beat(a, b, bt - 1e-9, &mut hint) {
                    let (t, x) = self.golden(a, b);
                    if t < bt {
                        (bt, bx) = (t, x);
                    }
                }
            }
        }
        Some((bt, bx))
    }

    fn golden(&self, a: Xy, b: Xy) -> (f64, Xy) {
        const R: f64 = 0.618_033_988_749_894_8;
        let at = |s: f64| [a[0] + s * (b[0] - a[0]), a[1] + s * (b[1] - a[1])];
        let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
        let mut s1 = hi - R * (hi - lo);
        let mut s2 = lo + R * (hi - lo);
        let (mut f1, mut f2) = (self.arrival(at(s1)), self.arrival(at(s2)));
        let len = norm(sub(b, a));
        while (hi - lo) * len > 1.0 {
            if f1 <= f2 {
                hi = s2;
                (s2, f2) = (s1, f1);
                s1 = hi - R * (hi - lo);
                f1 = self.arrival(at(s1));
            } else {
                lo = s1;
                (s1, f1) = (s2, f2);
                s2 = lo + R * (hi - lo);
                f2 = self.arrival(at(s2));
            }
        }
        let s = (lo + hi) / 2.0;
        (self.arrival(at(s)), at(s))
    }

    /// Distance (m) from the piece of the source to `x`.
    pub fn distance(&self, x: Xy) -> f64 {
        let v = &self.source.0;
        match v.len() {
            0 => f64::INFINITY,
            1 => norm(sub(x, v[0])),
            _ if v.len() > 2 && self.source.contains(x, 0.0) => 0.0,
            n => (0..n)
                .map(|i| segment_distance(x, v[i], v[(i + 1) % n]))
                .fold(f64::INFINITY, f64::min),
        }
    }
}

/// Clips a ring (any simple polygon) to the convex polygon `clip` (Sutherland–
/// Hodgman), using only the clip edges whose half-plane does not already hold
/// the ring's bounding box. The area of the result is exact; the result may
/// hold zero-width bridges along the clip edges.
pub fn clip_ring(ring: &[Xy], clip: &Convex) -> Vec<Xy> {
    let n = clip.0.len();
    if n < 3 || ring.len() < 3 {
        return Vec::new();
    }
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in ring {
        lo = [lo[0].min(p[0]), lo[1].min(p[1])];
        hi = [hi[0].max(p[0]), hi[1].max(p[1])];
    }
    let corners = [lo, [hi[0], lo[1]], hi, [lo[0], hi[1]]];
    let mut out: Vec<Xy> = ring.to_vec();
    for i in 0..n {
        let (a, b) = (clip.0[i], clip.0[(i + 1) % n]);
        let e = sub(b, a);
        let side = |p: Xy| cross(e, sub(p, a));
        if corners.iter().all(|c| side(*c) >= 0.0) {
            continue;
        }
        if corners.iter().all(|c| side(*c) < 0.0) {
            return Vec::new();
        }
        let input = std::mem::take(&mut out);
        let m = input.len();
        for j in 0..m {
            let (p, q) = (input[j], input[(j + 1) % m]);
            let (sp, sq) = (side(p), side(q));
            if sp >= 0.0 {
                out.push(p);
            }
            if (sp >= 0.0) != (sq >= 0.0) {
                let t = sp / (sp - sq);
                out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
            }
        }
        if out.len() < 3 {
            return Vec::new();
        }
    }
    out
}

/// Splits every edge of a closed ring so no piece is longer than `max_m`.
pub fn densify(ring: &[Xy], max_m: f64) -> Vec<Xy> {
    let n = ring.len();
    let mut out = Vec::with_capacity(n * 2);
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        let k = (norm(sub(b, a)) / max_m).ceil().max(1.0) as usize;
        for j in 0..k {
            let t = j as f64 / k as f64;
            out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::air::wind::{SeriesEntry, Wind};

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn sector_is_convex_counter_clockwise_and_of_the_right_area() {
        let c = sector(180.0, 20.0, 100_000.0, 0.5);
        assert!(c.area() > 0.0, "counter-clockwise");
        let exact = std::f64::consts::PI * 1e10 * 40.0 / 360.0;
        assert!(
            (c.area() / exact - 1.0).abs() < 1e-4,
            "{}",
            c.area() / exact
        );
        assert!(c.contains([0.0, -50_000.0], 0.0));
        assert!(!c.contains([0.0, 50_000.0], 0.0));
        // Half-disc: the apex is on a straight side and is dropped.
        let h = sector(90.0, 90.0, 1000.0, 1.0);
        assert!(!h.0.contains(&[0.0, 0.0]));
        assert!((h.area() / (std::f64::consts::PI * 1e6 / 2.0) - 1.0).abs() < 1e-3);
    }

    #[test]
    fn hourly_sectors_of_a_steady_wind_add_up_to_one_sector() {
        let one = Model::new(&Wind::steady(30.0, 4.0, 12.0, None).expect("wind"));
        let entries: Vec<SeriesEntry> = (0..12)
            .map(|h| SeriesEntry {
                hour: h as f64,
                wind_from: 30.0,
                speed: 4.0,
            })
            .collect();
        let many = Model::new(&Wind::series(&entries, Some(12.0), None).expect("wind"));
        assert_eq!(one.reach.0.len(), many.reach.0.len());
        for (a, b) in one.reach.0.iter().zip(&many.reach.0) {
            assert!(norm(sub(*a, *b)) < 1e-6, "{a:?} {b:?}");
        }
        // Arrival is distance / speed inside, infinite outside.
        let p = one.piece(Convex(vec![[0.0, 0.0]]));
        let toward = (30.0_f64 + 180.0).to_radians();
        let x = [50_000.0 * toward.sin(), 50_000.0 * toward.cos()];
        assert!(close(p.arrival(x), 50_000.0 / 4.0 / 3600.0, 1e-3));
        let q = many.piece(Convex(vec![[0.0, 0.0]]));
        assert!(close(q.arrival(x), 50_000.0 / 4.0 / 3600.0, 1e-3));
        assert!(p.arrival([-x[0], -x[1]]).is_infinite());
    }

    #[test]
    fn sector_support_by_bisection_is_the_vertex_maximum() {
        for (toward, spread) in [(0.0, 20.0), (123.0, 45.0), (270.0, 90.0), (359.0, 1.0)] {
            let c = sector(toward, spread, 50_000.0, 0.7);
            for k in 0..720 {
                let u = unit(f64::from(k) * 0.5 + 0.123);
                let brute = c.support(u).max(0.0);
                assert!(
                    (sector_support(&c, u) - brute).abs() < 1e-9,
                    "{toward} {spread} {k}"
                );
            }
        }
    }

    #[test]
    fn minkowski_of_squares_and_segments() {
        let sq = Convex(vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]);
        let s = sq.minkowski(&sq);
        assert!(close(s.area(), 4.0, 1e-12), "{:?}", s.0);
        let seg = Convex(vec![[0.0, 0.0], [2.0, 0.0]]);
        let t = sq.minkowski(&seg);
        assert!(close(t.area(), 3.0, 1e-12));
        let pt = Convex(vec![[5.0, 5.0]]);
        assert!(close(sq.minkowski(&pt).area(), 1.0, 1e-12));
        // Opposite edges of the two polygons are not taken for parallel ones.
        let up = Convex(vec![[0.0, 0.0], [0.0, 3.0]]);
        assert!(close(seg.minkowski(&up).area(), 6.0, 1e-12));
    }

    #[test]
    fn clipping_gives_exact_areas() {
        let clip = Convex(vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]]);
        // An L-shaped (non-convex) ring half inside.
        let l = vec![
            [5.0, 5.0],
            [15.0, 5.0],
            [15.0, 15.0],
            [12.0, 15.0],
            [12.0, 8.0],
            [5.0, 8.0],
        ];
        assert!(close(ring_area(&clip_ring(&l, &clip)), 5.0 * 3.0, 1e-12));
        assert!(clip_ring(&[[20.0, 20.0], [21.0, 20.0], [21.0, 21.0]], &clip).is_empty());
    }
}
