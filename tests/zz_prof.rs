use liuyu::air::{reach, SeriesEntry, Source, Wind};
use liuyu::budget::Budget;
use liuyu::{Atlas, LayerKind};
use std::time::Instant;
#[test]
fn prof() {
    let atlas = Atlas::embedded().unwrap();
    let entries: Vec<SeriesEntry> = (0..24)
        .map(|h| {
            let h = f64::from(h);
            SeriesEntry {
                hour: h,
                wind_from: 45.0 - 45.0 * (h / 24.0 * std::f64::consts::PI * 2.0).cos(),
                speed: 4.5 + 1.5 * (h / 5.0).sin(),
            }
        })
        .collect();
    let w = Wind::series(&entries, Some(24.0), None).unwrap();
    let src = Source::Point {
        lon: 112.122,
        lat: 32.009,
    };
    let b = Budget::unlimited();
    for _ in 0..3 {
        let t = Instant::now();
        let m = reach::model(&w);
        let t1 = t.elapsed();
        let (r, est) = reach::Reacher::new(&src, &m, w.travel_m(), &b).unwrap();
        let t2 = t.elapsed();
        let mut n = 0;
        let mut tc = std::time::Duration::ZERO;
        let mut slow = vec![];
        for (i, u) in atlas.layer(LayerKind::County).units.iter().enumerate() {
            let s = Instant::now();
            if r.hit(i, u).is_some() {
                n += 1;
            }
            let e = s.elapsed();
            tc += e;
            slow.push((
                e,
                u.name.clone(),
                u.geometry
                    .0
                    .iter()
                    .map(|p| p.exterior().0.len())
                    .sum::<usize>(),
            ));
        }
        let t3 = t.elapsed();
        let mut np = 0;
        for (i, u) in atlas.neighbours().iter().enumerate() {
            let s = Instant::now();
            if r.hit(i, u).is_some() {
                np += 1;
            }
            eprintln!("  {} {:?}", u.name, s.elapsed());
        }
        let t4 = t.elapsed();
        slow.sort();
        slow.reverse();
        eprintln!("model {:?} reacher {:?} counties {:?} ({n}) provinces {:?} ({np}); plume vertices {} pieces {}", t1, t2 - t1, t3 - t2, t4 - t3, est.plume.0[0].exterior().0.len(), est.pieces);
        eprintln!("slowest counties {:?}", &slow[..6]);
    }
}
#[test]
fn whole() {
    let atlas = Atlas::embedded().unwrap();
    let rules = liuyu::governance::Rules::embedded().unwrap();
    let entries: Vec<SeriesEntry> = (0..24)
        .map(|h| {
            let h = f64::from(h);
            SeriesEntry {
                hour: h,
                wind_from: 45.0 - 45.0 * (h / 24.0 * std::f64::consts::PI * 2.0).cos(),
                speed: 4.5 + 1.5 * (h / 5.0).sin(),
            }
        })
        .collect();
    let w = Wind::series(&entries, Some(24.0), None).unwrap();
    let src = Source::Point {
        lon: 112.122,
        lat: 32.009,
    };
    let b = Budget::unlimited();
    for _ in 0..4 {
        let t = Instant::now();
        let a = liuyu::air::downwind(&rules, &atlas, &src, &w, &b).unwrap();
        eprintln!("whole {:?} {}", t.elapsed(), a.downwind.counties.len());
    }
}
fn cpu_ticks() -> u64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = &s[s.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}
#[test]
fn cpu() {
    let atlas = Atlas::embedded().unwrap();
    let rules = liuyu::governance::Rules::embedded().unwrap();
    let entries: Vec<SeriesEntry> = (0..24)
        .map(|h| {
            let h = f64::from(h);
            SeriesEntry {
                hour: h,
                wind_from: 45.0 - 45.0 * (h / 24.0 * std::f64::consts::PI * 2.0).cos(),
                speed: 4.5 + 1.5 * (h / 5.0).sin(),
            }
        })
        .collect();
    let w = Wind::series(&entries, Some(24.0), None).unwrap();
    let src = Source::Point {
        lon: 112.122,
        lat: 32.009,
    };
    let b = Budget::unlimited();
    let n = 200;
    let (c0, t0) = (cpu_ticks(), Instant::now());
    for _ in 0..n {
        liuyu::air::downwind(&rules, &atlas, &src, &w, &b).unwrap();
    }
    eprintln!(
        "cpu per answer {:.2} ms, wall {:.2} ms",
        (cpu_ticks() - c0) as f64 * 10.0 / n as f64,
        t0.elapsed().as_secs_f64() * 1000.0 / n as f64
    );
}
#[test]
fn cpu_parts() {
    let atlas = Atlas::embedded().unwrap();
    let entries: Vec<SeriesEntry> = (0..24)
        .map(|h| {
            let h = f64::from(h);
            SeriesEntry {
                hour: h,
                wind_from: 45.0 - 45.0 * (h / 24.0 * std::f64::consts::PI * 2.0).cos(),
                speed: 4.5 + 1.5 * (h / 5.0).sin(),
            }
        })
        .collect();
    let w = Wind::series(&entries, Some(24.0), None).unwrap();
    let src = Source::Point {
        lon: 112.122,
        lat: 32.009,
    };
    let b = Budget::unlimited();
    let n = 200;
    let c0 = cpu_ticks();
    for _ in 0..n {
        let m = reach::model(&w);
        std::hint::black_box(&m);
    }
    let c1 = cpu_ticks();
    let m = reach::model(&w);
    for _ in 0..n {
        let r = reach::Reacher::new(&src, &m, w.travel_m(), &b).unwrap();
        std::hint::black_box(&r.1);
    }
    let c2 = cpu_ticks();
    let (r, _) = reach::Reacher::new(&src, &m, w.travel_m(), &b).unwrap();
    for _ in 0..n {
        for (i, u) in atlas.layer(LayerKind::County).units.iter().enumerate() {
            std::hint::black_box(r.hit(i, u));
        }
    }
    let c3 = cpu_ticks();
    for _ in 0..n {
        for (i, u) in atlas.neighbours().iter().enumerate() {
            std::hint::black_box(r.hit(i, u));
        }
    }
    let c4 = cpu_ticks();
    let f = |a: u64, b: u64| (b - a) as f64 * 10.0 / n as f64;
    eprintln!(
        "model {:.2} reacher {:.2} counties {:.2} provinces {:.2} ms",
        f(c0, c1),
        f(c1, c2),
        f(c2, c3),
        f(c3, c4)
    );
}
#[test]
fn cpu_map() {
    let atlas = Atlas::embedded().unwrap();
    let f = liuyu::air::frame::Frame::new(112.122, 32.009);
    let pts: Vec<(f64, f64)> = atlas
        .layer(LayerKind::County)
        .units
        .iter()
        .flat_map(|u| {
            u.geometry
                .0
                .iter()
                .flat_map(|p| p.exterior().0.iter().map(|c| (c.x, c.y)))
        })
        .collect();
    let n = 200;
    let c0 = cpu_ticks();
    let mut acc = 0.0;
    for _ in 0..n {
        for p in &pts {
            acc += f.to_plane(p.0, p.1)[0];
        }
    }
    let c1 = cpu_ticks();
    for _ in 0..n {
        acc += liuyu::governance::jurisdiction::area_m2(
            &atlas.layer(LayerKind::County).units[0].geometry,
        );
    }
    eprintln!(
        "{} points: to_plane {:.1} ns each {acc}",
        pts.len(),
        (c1 - c0) as f64 * 1e7 / (n * pts.len()) as f64
    );
}
#[test]
fn parts2() {
    let atlas = Atlas::embedded().unwrap();
    let entries: Vec<SeriesEntry> = (0..24)
        .map(|h| {
            let h = f64::from(h);
            SeriesEntry {
                hour: h,
                wind_from: 45.0 - 45.0 * (h / 24.0 * std::f64::consts::PI * 2.0).cos(),
                speed: 4.5 + 1.5 * (h / 5.0).sin(),
            }
        })
        .collect();
    let w = Wind::series(&entries, Some(24.0), None).unwrap();
    let src = Source::Point {
        lon: 112.122,
        lat: 32.009,
    };
    let b = Budget::unlimited();
    let m = reach::model(&w);
    let (r, _) = reach::Reacher::new(&src, &m, w.travel_m(), &b).unwrap();
    for _ in 0..200 {
        for (i, u) in atlas.layer(LayerKind::County).units.iter().enumerate() {
            std::hint::black_box(r.hit(i, u));
        }
    }
    reach::PROF.with(|p| {
        let p = p.borrow();
        eprintln!(
            "map {} overlay {} touches+area {} earliest {} total {} (us per answer)",
            p[0] / 200000,
            p[1] / 200000,
            p[2] / 200000,
            p[3] / 200000,
            p[4] / 200000
        );
    });
}
