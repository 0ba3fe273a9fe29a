//! 几何有效性: a fast validity check for footprint polygons. geo's `Validation`
//! tests ring self-intersection pairwise (quadratic: about a second for a
//! 10,000-vertex ring); this sweeps along x (the method of geo's sweep-line
//! `Intersections`, with a y-range filter before the exact test and a count
//! of the pairs tested, so a hostile ring is refused within a work limit) and
//! is checked against brute force and `Validation` on random rings in the tests.

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::line_intersection::line_intersection;
use geo::{Coord, CoordinatePosition, Line, LineIntersection, LineString, Polygon};

use crate::overlay::{Cost, Stage, TooComplex};

#[derive(Debug, Clone, Copy)]
struct Seg {
    line: Line<f64>,
    ring: usize,
    idx: usize,
    len: usize,
    /// x range, then y range.
    x: (f64, f64),
    y: (f64, f64),
}

fn ring_name(r: usize) -> String {
    if r == 0 {
        "the exterior ring".into()
    } else {
        format!("interior ring {}", r - 1)
    }
}

/// Work counted between two charges of the work counter.
const CHARGE_EVERY: u64 = 4096;
/// Work counted for a pair whose boxes meet and gets an exact test (a pair
/// rejected by its x or y range counts 1).
const EXACT_TEST_WEIGHT: u64 = 8;

/// Checks that a polygon is valid: every ring has at least three distinct
/// positions, no ring crosses, touches or overlaps itself, rings cross or
/// overlap no other ring (touching at a point is allowed), and every hole lies
/// inside the exterior. Returns the first problem found.
pub fn check_polygon(p: &Polygon<f64>) -> Result<(), String> {
    let mut unlimited = Cost::new(Stage::Validation, u64::MAX);
    check_polygon_within(p, &mut unlimited).unwrap_or(Ok(()))
}

/// Like [`check_polygon`], counting the segment pairs tested against `cost`
/// (a sweep along x tests every pair whose x ranges overlap: a few per
/// segment for real outlines, quadratic for a comb of long parallel edges).
pub fn check_polygon_within(
    p: &Polygon<f64>,
    cost: &mut Cost,
) -> Result<Result<(), String>, TooComplex> {
    let rings: Vec<&LineString<f64>> = std::iter::once(p.exterior()).chain(p.interiors()).collect();
    let mut segs = Vec::new();
    for (r, ring) in rings.iter().enumerate() {
        let mut coords: Vec<Coord<f64>> = ring.0.clone();
        coords.dedup();
        if coords.len() < 4 {
            return Ok(Err(format!(
                "{} has fewer than three distinct positions",
                ring_name(r)
            )));
        }
        let n = coords.len() - 1;
        for i in 0..n {
            let (a, b) = (coords[i], coords[i + 1]);
            segs.push(Seg {
                line: Line::new(a, b),
                ring: r,
                idx: i,
                len: n,
                x: (a.x.min(b.x), a.x.max(b.x)),
                y: (a.y.min(b.y), a.y.max(b.y)),
            });
        }
    }
    segs.sort_by(|a, b| a.x.0.total_cmp(&b.x.0));
    let mut tested = 0u64;
    for (i, a) in segs.iter().enumerate() {
        for b in &segs[i + 1..] {
            if b.x.0 > a.x.1 {
                break;
            }
            tested += 1;
            if tested >= CHARGE_EVERY {
                cost.charge(tested)?;
                tested = 0;
            }
            if b.y.0 > a.y.1 || a.y.0 > b.y.1 {
                continue;
            }
            tested += EXACT_TEST_WEIGHT - 1;
            if a.ring == b.ring && (a.idx + 1) % a.len == b.idx {
                if folds_back(a, b) {
                    return Ok(Err(format!("{} intersects itself", ring_name(a.ring))));
                }
                continue;
            }
            if a.ring == b.ring && (b.idx + 1) % b.len == a.idx {
                if folds_back(b, a) {
                    return Ok(Err(format!("{} intersects itself", ring_name(a.ring))));
                }
                continue;
            }
            if let Some(x) = line_intersection(a.line, b.line) {
                if let Some(problem) = crossing(a, b, x) {
                    return Ok(Err(problem));
                }
            }
        }
    }
    cost.charge(tested)?;
    Ok(holes_inside(p))
}

/// Whether `b`, which starts where `a` ends, runs back over `a` (consecutive
/// segments of a ring meet only at their shared vertex unless they are
/// collinear and turn back), decided with the robust orientation predicate
/// instead of a full intersection.
fn folds_back(a: &Seg, b: &Seg) -> bool {
    let (p, q, r) = (a.line.start, a.line.end, b.line.end);
    if RobustKernel::orient2d(p, q, r) != Orientation::Collinear {
        return false;
    }
    (q.x - p.x) * (r.x - q.x) + (q.y - p.y) * (r.y - q.y) < 0.0
}

/// Whether an intersection of two segments makes the polygon invalid.
fn crossing(a: &Seg, b: &Seg, x: LineIntersection<f64>) -> Option<String> {
    if a.ring == b.ring {
        let adjacent = (a.idx + 1) % a.len == b.idx || (b.idx + 1) % b.len == a.idx;
        match x {
            LineIntersection::SinglePoint { .. } if adjacent => None,
            _ => Some(format!("{} intersects itself", ring_name(a.ring))),
        }
    } else {
        match x {
            LineIntersection::SinglePoint {
                is_proper: false, ..
            } => None,
            _ => Some(format!(
                "{} and {} cross or overlap",
                ring_name(a.ring.min(b.ring)),
                ring_name(a.ring.max(b.ring))
            )),
        }
    }
}

/// Every hole lies inside the exterior (rings are known not to cross).
fn holes_inside(p: &Polygon<f64>) -> Result<(), String> {
    let shell = Polygon::new(p.exterior().clone(), vec![]);
    for (i, hole) in p.interiors().iter().enumerate() {
        // Rings do not cross, so one vertex off the shell's boundary decides.
        let inside = hole
            .0
            .iter()
            .map(|c| shell.coordinate_position(c))
            .find(|pos| *pos != geo::coordinate_position::CoordPos::OnBoundary);
        if inside != Some(geo::coordinate_position::CoordPos::Inside) {
            return Err(format!("interior ring {i} is not inside the exterior ring"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_polygon;
    use geo::{polygon, LineString, Polygon, Validation};
    use rand::{Rng, SeedableRng};

    #[test]
    fn known_cases() {
        let square =
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        assert!(check_polygon(&square).is_ok());
        let bowtie =
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)];
        assert!(check_polygon(&bowtie).is_err());
        let spike =
            polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)];
        assert!(check_polygon(&spike).is_err());
        let holed = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0), (x: 1.0, y: 2.0)]],
        );
        assert!(check_polygon(&holed).is_ok());
        let outside = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 5.0, y: 5.0), (x: 6.0, y: 5.0), (x: 6.0, y: 6.0), (x: 5.0, y: 6.0)]],
        );
        assert!(check_polygon(&outside).is_err());
        let crossing = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 5.0, y: 1.0), (x: 5.0, y: 2.0), (x: 1.0, y: 2.0)]],
        );
        assert!(check_polygon(&crossing).is_err());
        // A figure eight touching itself at one vertex.
        let eight = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 1.0, y: 1.0), (x: 0.0, y: 2.0)];
        assert!(check_polygon(&eight).is_err());
        let flat = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 0.0, y: 0.0)];
        assert!(check_polygon(&flat).is_err());
    }

    /// The same rule by brute force: every pair of segments of the ring.
    fn brute_force(p: &Polygon<f64>) -> bool {
        use geo::{line_intersection::line_intersection, Line, LineIntersection};
        let mut c = p.exterior().0.clone();
        c.dedup();
        if c.len() < 4 {
            return false;
        }
        let segs: Vec<Line<f64>> = c.windows(2).map(|w| Line::new(w[0], w[1])).collect();
        let n = segs.len();
        for i in 0..n {
            for j in i + 1..n {
                let adjacent = (i + 1) % n == j || (j + 1) % n == i;
                match line_intersection(segs[i], segs[j]) {
                    None => {}
                    Some(LineIntersection::SinglePoint { .. }) if adjacent => {}
                    Some(_) => return false,
                }
            }
        }
        true
    }

    /// The sweep agrees with brute force on seeded random rings, and is at
    /// least as strict as geo's own (quadratic) validation; where geo accepts
    /// and we refuse, the ring doubles back on itself along a line (zero-width
    /// overlap), which geo's check does not look for.
    #[test]
    fn agrees_with_brute_force_and_geo_validation_on_random_rings() {
        use geo::{line_intersection::line_intersection, Line, LineIntersection};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let (mut valid, mut invalid, mut stricter) = (0, 0, 0);
        for _ in 0..3000 {
            let n = rng.gen_range(3..9);
            // Integer grid: many touching and collinear cases.
            let pts: Vec<(f64, f64)> = (0..n)
                .map(|_| {
                    (
                        f64::from(rng.gen_range(0..5)),
                        f64::from(rng.gen_range(0..5)),
                    )
                })
                .collect();
            let p = Polygon::new(LineString::from(pts), vec![]);
            let ours = check_polygon(&p).is_ok();
            assert_eq!(ours, brute_force(&p), "{p:?}");
            let geo_ok = p.is_valid();
            if !geo_ok {
                assert!(!ours, "{p:?}: geo refuses, we accept");
            } else if !ours {
                let segs: Vec<Line<f64>> = p.exterior().lines().collect();
                let collinear = segs.iter().enumerate().any(|(i, a)| {
                    segs.iter().skip(i + 1).any(|b| {
                        matches!(
                            line_intersection(*a, *b),
                            Some(LineIntersection::Collinear { .. })
                        )
                    })
                });
                assert!(
                    collinear,
                    "{p:?}: geo accepts, we refuse, no collinear overlap"
                );
                stricter += 1;
            }
            if ours {
                valid += 1;
            } else {
                invalid += 1;
            }
        }
        assert!(
            valid > 100 && invalid > 100,
            "{valid} valid, {invalid} invalid, {stricter} stricter"
        );
    }
}
