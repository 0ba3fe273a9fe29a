//! Criterion benches for downwind estimates (issue 15): the whole answer
//! (plume, every county and neighbouring province reached with arrival hours,
//! distances and shares, prefectures, whom to notify) for a 24-hour veering
//! series and for a steady 12-hour wind from 襄阳, and the plume alone.
//! Correctness is asserted in the setup, so a broken estimate cannot produce
//! fast numbers.
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use liuyu::air::{self, reach, SeriesEntry, Source, Wind};
use liuyu::budget::Budget;
use liuyu::governance::Rules;
use liuyu::Atlas;

/// 襄阳 city (襄城区).
const SOURCE: Source = Source::Point {
    lon: 112.122,
    lat: 32.009,
};

/// 24 hourly winds veering from north to east and back, 3 to 6 m/s.
fn series_24h() -> Wind {
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
    Wind::series(&entries, Some(24.0), None).expect("wind")
}

/// On-CPU time of this thread, ns (Linux `/proc/thread-self/schedstat`, first
/// field): unlike wall time it does not grow when other builds share the cores.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Prints the on-CPU and wall time per 24-hour-series answer over 200 answers.
fn cpu_per_answer(rules: &Rules, atlas: &Atlas, series: &Wind, budget: &Budget) {
    const N: u32 = 200;
    let (c0, t0) = (thread_cpu_ns(), std::time::Instant::now());
    for _ in 0..N {
        black_box(air::downwind(rules, atlas, black_box(&SOURCE), series, budget).unwrap());
    }
    let wall = t0.elapsed().as_secs_f64() * 1e3 / f64::from(N);
    match (c0, thread_cpu_ns()) {
        (Some(a), Some(b)) => eprintln!(
            "24-hour series: {:.2} ms on-CPU per answer, {wall:.2} ms wall ({N} answers)",
            (b - a) as f64 / 1e6 / f64::from(N)
        ),
        _ => eprintln!("24-hour series: {wall:.2} ms wall per answer ({N} answers)"),
    }
}

fn benches(c: &mut Criterion) {
    let atlas = Atlas::embedded().expect("atlas");
    let rules = Rules::embedded().expect("rules");
    let budget = Budget::unlimited();
    let series = series_24h();
    let steady = Wind::steady(0.0, 5.0, 12.0, None).expect("wind");
    let a = air::downwind(&rules, &atlas, &SOURCE, &series, &budget).expect("estimate");
    assert!(
        a.downwind.counties.len() >= 20,
        "{}",
        a.downwind.counties.len()
    );
    assert!(!a.notify.is_empty());
    let s = air::downwind(&rules, &atlas, &SOURCE, &steady, &budget).expect("estimate");
    assert!(s.downwind.prefectures.iter().any(|p| p.adcode == "420800"));
    eprintln!(
        "24-hour series: {} counties, {} prefectures, {} provinces, {} notified, plume {:.0} km²",
        a.downwind.counties.len(),
        a.downwind.prefectures.len(),
        a.leaves_hubei.provinces.len(),
        a.notify.len(),
        a.plume_area_km2
    );
    cpu_per_answer(&rules, &atlas, &series, &budget);
    c.bench_function("air/downwind 24-hour series (whole answer)", |b| {
        b.iter(|| {
            air::downwind(
                &rules,
                &atlas,
                black_box(&SOURCE),
                black_box(&series),
                &budget,
            )
            .unwrap()
        })
    });
    c.bench_function("air/downwind steady 12 h (whole answer)", |b| {
        b.iter(|| {
            air::downwind(
                &rules,
                &atlas,
                black_box(&SOURCE),
                black_box(&steady),
                &budget,
            )
            .unwrap()
        })
    });
    c.bench_function("air/plume only, 24-hour series", |b| {
        b.iter(|| {
            let m = reach::model(black_box(&series));
            let (_, est) = reach::Reacher::new(&SOURCE, &m, series.travel_m(), &budget).unwrap();
            est.plume_area_m2
        })
    });
}

criterion_group!(air_benches, benches);
criterion_main!(air_benches);
