//! Lookups through each CRS give the same county as the WGS 84 lookup: a
//! seeded sample of points in Hubei is converted WGS 84 → CRS (as a user of
//! that CRS would hold it) → back through `to_wgs84` → all-layer lookup.

mod common;

use liuyu::crs::{Crs, CrsId};
use liuyu::Atlas;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[test]
fn every_crs_gives_the_same_county() {
    let atlas = Atlas::embedded().expect("atlas");
    let ids = common::hubei_crs_ids();
    let crss: Vec<Crs> = ids.into_iter().map(|i| Crs::new(i).expect("crs")).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(20261130);
    let mut inside = 0;
    for _ in 0..2000 {
        let lon = rng.gen_range(108.3..116.2);
        let lat = rng.gen_range(29.0..33.3);
        let want = atlas.locate(lon, lat);
        if want.on_boundary {
            continue;
        }
        if want.inside_hubei {
            inside += 1;
        }
        let want_county = want.county.as_ref().map(|c| c.adcode.clone());
        for crs in &crss {
            let (x, y) = crs.from_wgs84(lon, lat).expect("forward");
            let (lo, la) = crs.to_wgs84(x, y).expect("inverse");
            let got = atlas.locate(lo, la);
            assert_eq!(
                got.county.as_ref().map(|c| c.adcode.clone()),
                want_county,
                "{} at {lon},{lat} (as {x},{y})",
                crs.id()
            );
            assert_eq!(
                got.zone.as_ref().map(|z| z.id.clone()),
                want.zone.as_ref().map(|z| z.id.clone())
            );
        }
    }
    assert!(inside > 800, "sample should mostly fall in Hubei: {inside}");
}

#[test]
fn gcj02_coordinates_used_as_wgs84_can_land_in_the_wrong_county() {
    // Why the conversion matters: treating Amap coordinates as WGS 84 moves a
    // point by hundreds of metres; along borders that changes the county.
    let atlas = Atlas::embedded().expect("atlas");
    let gcj = Crs::new(CrsId::Gcj02).expect("gcj");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut differ = 0;
    for _ in 0..3000 {
        let lon = rng.gen_range(113.7..114.7);
        let lat = rng.gen_range(30.2..30.9);
        let (gx, gy) = gcj.from_wgs84(lon, lat).expect("fwd");
        let a = atlas.locate(lon, lat).county.map(|c| c.adcode);
        let b = atlas.locate(gx, gy).county.map(|c| c.adcode);
        if a != b {
            differ += 1;
        }
    }
    assert!(
        differ > 0,
        "some points near Wuhan's district borders must move county"
    );
}
