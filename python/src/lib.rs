//! Python bindings of liuyu (流域): the native part of the `liuyu` package.
//!
//! `liuyu._liuyu.Atlas` wraps a loaded dataset (the embedded one, or a
//! directory with the layout of `data/`); `Atlas._locate` looks up numpy
//! coordinate arrays on all cores with the GIL released and returns
//! dictionary-encoded columns, which `liuyu/__init__.py` turns into a pyarrow
//! table, a pandas frame or numpy arrays.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::sync::Arc;

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::exceptions::{PyIOError, PyValueError};
use pyo3::prelude::*;

use liuyu::attribute::columns::{is_multi_valued, locate_columns};
use liuyu::crs::Crs;
use liuyu::{Atlas, LayerKind};

/// The columns of `Atlas._locate`: per layer codes and dictionary, then
/// `on_boundary`, the failed rows' indices and messages.
type Located<'py> = (
    Vec<Bound<'py, PyArray1<i32>>>,
    Vec<Vec<String>>,
    Bound<'py, PyArray1<bool>>,
    Bound<'py, PyArray1<i64>>,
    Vec<String>,
);

/// A loaded dataset (图集): every layer and its point index.
#[pyclass(frozen, name = "Atlas", module = "liuyu._liuyu")]
struct PyAtlas {
    atlas: Arc<Atlas>,
}

#[pymethods]
impl PyAtlas {
    /// Loads `path` (a directory with the layout of liuyu's `data/`, fully
    /// validated), or the embedded Hubei dataset when `path` is None.
    #[new]
    #[pyo3(signature = (path = None))]
    fn new(py: Python<'_>, path: Option<PathBuf>) -> PyResult<Self> {
        let atlas = py.detach(|| match &path {
            Some(p) => Atlas::load_dir(p),
            None => Atlas::embedded(),
        });
        match atlas {
            Ok(a) => Ok(PyAtlas { atlas: Arc::new(a) }),
            Err(e @ liuyu::AtlasError::Io { .. }) => Err(PyIOError::new_err(e.to_string())),
            Err(e) => Err(PyValueError::new_err(e.to_string())),
        }
    }

    /// Content hash of the dataset (`data_version` of the HTTP answers).
    #[getter]
    fn version(&self) -> String {
        self.atlas.version().to_string()
    }

    /// Dataset name from its manifest.
    #[getter]
    fn dataset(&self) -> String {
        self.atlas.dataset().to_string()
    }

    /// `(layer id, multi-valued, unit ids)` of every layer, in lookup order.
    fn layers(&self) -> Vec<(String, bool, Vec<String>)> {
        LayerKind::ALL
            .iter()
            .map(|&k| {
                let ids = self
                    .atlas
                    .layer(k)
                    .units
                    .iter()
                    .map(|u| u.id.clone())
                    .collect();
                (k.id().to_string(), is_multi_valued(k), ids)
            })
            .collect()
    }

    /// The full answer for one point as JSON text (as `liuyu locate` prints).
    #[pyo3(signature = (lon, lat, crs = "CRS84"))]
    fn locate_one_json(&self, lon: f64, lat: f64, crs: &str) -> PyResult<String> {
        let c = Crs::parse(crs).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let (x, y) = c
            .to_wgs84(lon, lat)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        serde_json::to_string(&self.atlas.locate(x, y))
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Looks up contiguous float64 arrays on `threads` threads (0 = all
    /// cores) without the GIL; see `liuyu.locate` for the public form.
    #[pyo3(signature = (lon, lat, crs = "CRS84", threads = 0))]
    fn _locate<'py>(
        &self,
        py: Python<'py>,
        lon: PyReadonlyArray1<'py, f64>,
        lat: PyReadonlyArray1<'py, f64>,
        crs: &str,
        threads: usize,
    ) -> PyResult<Located<'py>> {
        let c = Crs::parse(crs).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let (x, y) = (
            lon.as_slice()
                .map_err(|e| PyValueError::new_err(e.to_string()))?,
            lat.as_slice()
                .map_err(|e| PyValueError::new_err(e.to_string()))?,
        );
        if x.len() != y.len() {
            return Err(PyValueError::new_err(format!(
                "lon and lat differ in length: {} and {}",
                x.len(),
                y.len()
            )));
        }
        let atlas = &self.atlas;
        let out = py.detach(|| locate_columns(atlas, &c, x, y, threads));
        let codes = out.codes.into_iter().map(|v| v.into_pyarray(py)).collect();
        let (rows, messages): (Vec<i64>, Vec<String>) =
            out.errors.into_iter().map(|(i, m)| (i as i64, m)).unzip();
        Ok((
            codes,
            out.dictionaries,
            out.on_boundary.into_pyarray(py),
            rows.into_pyarray(py),
            messages,
        ))
    }
}

/// The native module.
#[pymodule]
fn _liuyu(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyAtlas>()?;
    m.add("BOUNDARY_EPSILON", liuyu::BOUNDARY_EPSILON)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
