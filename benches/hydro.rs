//! Criterion benches for river navigation on the whole province (issue 4):
//! DM from the 汉江 at 襄阳 to the province outlet, UT from the 汉江 mouth, DD
//! with distributaries, and the miss path (no river near). Correctness is asserted
//! inside the setup so a broken graph cannot produce fast numbers.
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use liuyu::hydro::{Mode, RiverGraph};
use liuyu::Atlas;

fn benches(c: &mut Criterion) {
    let atlas = Atlas::embedded().expect("atlas");
    let g = RiverGraph::embedded(&atlas).expect("graph");
    let dm = g.navigate(Mode::DM, 112.15, 32.03, None, None).unwrap();
    assert!(dm.leaves_hubei.iter().any(|x| x.final_exit));
    let ut = g
        .navigate(Mode::UT, 114.28, 30.565, None, Some("hanjiang"))
        .unwrap();
    assert!(ut.zones_draining.len() >= 7);
    c.bench_function("hydro/DM 汉江 襄阳 -> outlet", |b| {
        b.iter(|| {
            g.navigate(Mode::DM, black_box(112.15), black_box(32.03), None, None)
                .unwrap()
        })
    });
    c.bench_function("hydro/DD 汉江 襄阳", |b| {
        b.iter(|| {
            g.navigate(Mode::DD, black_box(112.15), black_box(32.03), None, None)
                .unwrap()
        })
    });
    c.bench_function("hydro/UT 汉江 mouth (whole Han basin)", |b| {
        b.iter(|| {
            g.navigate(
                Mode::UT,
                black_box(114.28),
                black_box(30.565),
                None,
                Some("hanjiang"),
            )
            .unwrap()
        })
    });
    c.bench_function("hydro/UT 长江 outlet (whole province)", |b| {
        b.iter(|| {
            g.navigate(Mode::UT, black_box(116.16), black_box(29.79), None, None)
                .unwrap()
        })
    });
    c.bench_function("hydro/miss (no river near)", |b| {
        b.iter(|| {
            g.navigate(Mode::DM, black_box(115.75), black_box(30.95), None, None)
                .unwrap_err()
        })
    });
    c.bench_function("hydro/snap only", |b| {
        b.iter(|| g.snap(black_box(112.15), black_box(32.03), None).unwrap())
    });
}

criterion_group!(hydro, benches);
criterion_main!(hydro);
