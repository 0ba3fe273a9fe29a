//! The embedded dataset: counts, adcodes, memberships and full validation.
use liuyu::{Atlas, LayerKind};

fn atlas() -> Atlas {
    Atlas::embedded().expect("embedded dataset loads")
}

#[test]
fn counts_and_adcodes() {
    let a = atlas();
    let counties = &a.layer(LayerKind::County).units;
    assert_eq!(counties.len(), 103);
    assert!(counties
        .iter()
        .all(|c| c.id.len() == 6 && c.id.starts_with("42")));
    let prefectures = &a.layer(LayerKind::Prefecture).units;
    assert_eq!(prefectures.len(), 17);
    // geography.md §1: the 17 prefecture-level adcodes.
    let expected = [
        "420100", "420200", "420300", "420500", "420600", "420700", "420800", "420900", "421000",
        "421100", "421200", "421300", "422800", "429004", "429005", "429006", "429021",
    ];
    let got: Vec<&str> = prefectures.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(got, expected);
    // Every county's prefecture prefix matches its adcode (4290xx units are their own county).
    for c in counties {
        let p = c.prop_str("prefecture").unwrap();
        if p.starts_with("4290") {
            assert_eq!(p, c.id);
        } else {
            assert_eq!(&p[..4], &c.id[..4], "{}", c.id);
        }
    }
    assert_eq!(a.layer(LayerKind::Province).units[0].id, "420000");
    assert_eq!(a.layer(LayerKind::Zone).units.len(), 16);
    assert_eq!(a.layer(LayerKind::Basin).units.len(), 3);
    assert_eq!(a.layer(LayerKind::MetroArea).units.len(), 3);
    assert_eq!(a.layer(LayerKind::CityCluster).units.len(), 3);
    assert_eq!(a.layer(LayerKind::Corridor).units.len(), 1);
}

#[test]
fn zone_and_basin_counts_match_the_spec_table() {
    // geography.md §2: 汉江 40 counties in 7 zones, 长江干流 53 in 8, 清江 10 in 1.
    let a = atlas();
    for (basin, zones, counties) in [
        ("hanjiang", 7, 40),
        ("changjiang", 8, 53),
        ("qingjiang", 1, 10),
    ] {
        let zs: Vec<_> = a
            .layer(LayerKind::Zone)
            .units
            .iter()
            .filter(|z| z.prop_str("basin") == Some(basin))
            .collect();
        assert_eq!(zs.len(), zones, "{basin}");
        assert_eq!(
            zs.iter().map(|z| z.members().len()).sum::<usize>(),
            counties,
            "{basin}"
        );
        let b = a.layer(LayerKind::Basin).get(basin).unwrap();
        assert_eq!(b.members().len(), counties);
    }
    for z in &a.layer(LayerKind::Zone).units {
        assert_eq!(z.provenance(), "reconstructed", "{}", z.id);
    }
    assert_eq!(a.layer(LayerKind::Zone).provenance.status, "reconstructed");
}

#[test]
fn memberships_follow_the_tables() {
    let a = atlas();
    let m = a.memberships("420103").unwrap();
    assert_eq!(m.prefecture, "420100");
    assert_eq!(m.zone.as_deref(), Some("H7"));
    assert_eq!(m.basin.as_deref(), Some("hanjiang"));
    assert_eq!(m.metro_areas, ["wuhan"]);
    // 十堰 is in the 襄十随神 cluster but not in the 襄阳 metro area.
    let m = a.memberships("420302").unwrap();
    assert!(m.metro_areas.is_empty());
    assert_eq!(m.city_clusters, ["xiangshisuishen"]);
    // 荆门 东宝: 宜荆荆 metro and the corridor.
    let m = a.memberships("420802").unwrap();
    assert_eq!(m.metro_areas, ["yijingjing"]);
    assert_eq!(m.corridors, ["xiangjingjingyi"]);
    assert!(a.memberships("110101").is_none());
}

#[test]
fn full_validation_passes_and_partition_is_exact() {
    use geo::Area;
    let a = atlas();
    let report = a.validate();
    assert!(report.is_ok(), "{report}");
    // The embedded partitions are exact, not just within tolerance.
    let province = a.layer(LayerKind::Province).units[0]
        .geometry
        .unsigned_area();
    for k in [
        LayerKind::Prefecture,
        LayerKind::County,
        LayerKind::Zone,
        LayerKind::Basin,
    ] {
        let sum: f64 = a
            .layer(k)
            .units
            .iter()
            .map(|u| u.geometry.unsigned_area())
            .sum();
        assert!(
            ((sum - province) / province).abs() < 1e-12,
            "{k:?}: {sum} vs {province}"
        );
    }
}
