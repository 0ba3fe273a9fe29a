//! Attribute schema (属性表结构) inferred from JSON properties for the
//! columnar formats (FlatGeobuf, GeoParquet, Shapefile DBF).
//!
//! Columns: `id` first, then `name` if present, then the other keys in sorted
//! order. Types: all-integer numbers → `Int`, any other number → `Float`,
//! booleans → `Bool`; strings, arrays and objects → `Str` (arrays/objects as
//! compact JSON text); a key with mixed kinds becomes `Str`. Missing or null
//! values are nulls.

use std::collections::BTreeMap;

use serde_json::Value;

use super::ExportFeature;

/// A column's value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// 64-bit signed integer.
    Int,
    /// 64-bit float.
    Float,
    /// Boolean.
    Bool,
    /// UTF-8 text (also JSON text of arrays/objects).
    Str,
}

/// One attribute column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Property key.
    pub name: String,
    /// Inferred type.
    pub ty: ColType,
}

/// A typed cell value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Null or missing.
    Null,
    /// Integer.
    Int(i64),
    /// Float.
    Float(f64),
    /// Boolean.
    Bool(bool),
    /// Text.
    Str(String),
}

fn kind(v: &Value) -> Option<ColType> {
    match v {
        Value::Null => None,
        Value::Bool(_) => Some(ColType::Bool),
        Value::Number(n) if n.is_i64() => Some(ColType::Int),
        Value::Number(_) => Some(ColType::Float),
        _ => Some(ColType::Str),
    }
}

fn merge(a: ColType, b: ColType) -> ColType {
    use ColType::*;
    match (a, b) {
        (x, y) if x == y => x,
        (Int, Float) | (Float, Int) => Float,
        _ => Str,
    }
}

/// Infers the columns of `features` (the `id` column is always first and text).
pub fn infer(features: &[ExportFeature]) -> Vec<Column> {
    let mut types: BTreeMap<String, Option<ColType>> = BTreeMap::new();
    for f in features {
        for (k, v) in &f.properties {
            if k == "id" {
                continue;
            }
            let slot = types.entry(k.clone()).or_insert(None);
            *slot = match (*slot, kind(v)) {
                (None, k) => k,
                (Some(a), None) => Some(a),
                (Some(a), Some(b)) => Some(merge(a, b)),
            };
        }
    }
    let mut cols = vec![Column {
        name: "id".into(),
        ty: ColType::Str,
    }];
    if let Some(t) = types.remove("name") {
        cols.push(Column {
            name: "name".into(),
            ty: t.unwrap_or(ColType::Str),
        });
    }
    cols.extend(types.into_iter().map(|(name, t)| Column {
        name,
        ty: t.unwrap_or(ColType::Str),
    }));
    cols
}

/// The cell of `col` for feature `f`, converted to the column type.
pub fn cell(f: &ExportFeature, col: &Column) -> Cell {
    if col.name == "id" {
        return Cell::Str(f.id.clone());
    }
    let v = match f.properties.get(&col.name) {
        None | Some(Value::Null) => return Cell::Null,
        Some(v) => v,
    };
    match (col.ty, v) {
        (ColType::Int, Value::Number(n)) => n.as_i64().map_or(Cell::Null, Cell::Int),
        (ColType::Float, Value::Number(n)) => n.as_f64().map_or(Cell::Null, Cell::Float),
        (ColType::Bool, Value::Bool(b)) => Cell::Bool(*b),
        (_, Value::String(s)) => Cell::Str(s.clone()),
        (_, other) => Cell::Str(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn feat(props: Value) -> ExportFeature {
        ExportFeature {
            id: "x".into(),
            geometry: geo::MultiPolygon(vec![]),
            properties: props.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn infers_and_orders_columns() {
        let fs = [
            feat(json!({"name": "a", "n": 1, "f": 1, "b": true, "arr": [1, 2], "mixed": 1})),
            feat(json!({"name": "b", "n": 2, "f": 1.5, "b": null, "mixed": "x"})),
        ];
        let cols = infer(&fs);
        let got: Vec<(&str, ColType)> = cols.iter().map(|c| (c.name.as_str(), c.ty)).collect();
        assert_eq!(
            got,
            vec![
                ("id", ColType::Str),
                ("name", ColType::Str),
                ("arr", ColType::Str),
                ("b", ColType::Bool),
                ("f", ColType::Float),
                ("mixed", ColType::Str),
                ("n", ColType::Int),
            ]
        );
        assert_eq!(cell(&fs[0], &cols[2]), Cell::Str("[1,2]".into()));
        assert_eq!(cell(&fs[1], &cols[3]), Cell::Null);
        assert_eq!(cell(&fs[0], &cols[4]), Cell::Float(1.0));
        assert_eq!(cell(&fs[0], &cols[5]), Cell::Str("1".into()));
    }
}
