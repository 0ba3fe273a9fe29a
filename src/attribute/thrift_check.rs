//! A bounds check of the compact-Thrift structures of a Parquet file (Thrift
//! 结构检查): the footer and every page header are walked before the
//! `parquet` crate decodes them.
//!
//! `parquet` 60 skips an unknown list (or set, or map) of booleans without
//! reading a byte per element, as if each were a struct field's boolean; the
//! compact protocol stores one byte per boolean element. A field declaring
//! 2^31 of them costs seconds of spinning in a 1 KB file, once per such field
//! (found by the `attribute` fuzz target, in the footer and in page headers).
//! Here every collection's declared size must fit in the bytes left (every
//! element takes at least one byte), nesting is bounded, and a walk reads each
//! byte at most once, so the check costs time in proportion to the bytes it
//! reads.

/// Deepest nesting of structs and collections accepted.
const MAX_DEPTH: u32 = 64;

/// Why a structure is malformed, or that the bytes ended inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Malformed {
    /// The structure runs past the bytes given.
    Truncated,
    /// Anything else, with the reason.
    Bad(String),
}

/// What a walk of one struct found: the bytes it takes and, when present,
/// the `i32` value of one top-level field (the page size of a page header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Walked {
    /// Bytes of the struct, its stop byte included.
    pub(crate) len: usize,
    /// The value of the requested top-level `i32` field.
    pub(crate) field: Option<i64>,
}

/// Walks one compact-Thrift struct at the start of `buf`, noting the value of
/// top-level field `want` (an integer).
pub(crate) fn walk_struct(buf: &[u8], want: i16) -> Result<Walked, Malformed> {
    let mut r = Reader { buf, at: 0 };
    let field = r.fields(0, Some(want))?;
    Ok(Walked { len: r.at, field })
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn left(&self) -> usize {
        self.buf.len() - self.at
    }

    fn byte(&mut self) -> Result<u8, Malformed> {
        let b = *self.buf.get(self.at).ok_or(Malformed::Truncated)?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, Malformed> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift.min(63);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(Malformed::Bad("a varint longer than 10 bytes".into()))
    }

    fn zigzag(&mut self) -> Result<i64, Malformed> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn skip(&mut self, n: u64) -> Result<(), Malformed> {
        let n = usize::try_from(n).map_err(|_| Malformed::Truncated)?;
        if n > self.left() {
            return Err(Malformed::Truncated);
        }
        self.at += n;
        Ok(())
    }

    /// A struct's fields up to its stop byte; the value of field `want`.
    fn fields(&mut self, depth: u32, want: Option<i16>) -> Result<Option<i64>, Malformed> {
        if depth > MAX_DEPTH {
            return Err(Malformed::Bad(format!("nested deeper than {MAX_DEPTH}")));
        }
        let (mut id, mut found) = (0i16, None);
        loop {
            let h = self.byte()?;
            if h == 0 {
                return Ok(found);
            }
            let (delta, ty) = (h >> 4, h & 0x0f);
            id = if delta == 0 {
                i16::try_from(self.zigzag()?)
                    .map_err(|_| Malformed::Bad("a field id out of range".into()))?
            } else {
                id.wrapping_add(i16::from(delta))
            };
            let v = self.value(ty, depth, false)?;
            if want == Some(id) {
                found = v;
            }
        }
    }

    /// One value of compact type `ty`; integers are returned. A boolean is a
    /// byte inside a collection and nothing in a struct field (its value is
    /// the field type).
    fn value(&mut self, ty: u8, depth: u32, element: bool) -> Result<Option<i64>, Malformed> {
        match ty {
            1 | 2 if element => self.skip(1).map(|()| None),
            1 | 2 => Ok(None),
            3 => self.byte().map(|b| Some(i64::from(b as i8))),
            4..=6 => self.zigzag().map(Some),
            7 => self.skip(8).map(|()| None),
            8 => {
                let n = self.varint()?;
                self.skip(n).map(|()| None)
            }
            9 | 10 => self.list(depth).map(|()| None),
            11 => self.map(depth).map(|()| None),
            12 => self.fields(depth + 1, None).map(|_| None),
            13 => self.skip(16).map(|()| None),
            t => Err(Malformed::Bad(format!("unknown compact type {t}"))),
        }
    }

    fn list(&mut self, depth: u32) -> Result<(), Malformed> {
        let h = self.byte()?;
        let n = match h >> 4 {
            15 => self.varint()?,
            n => u64::from(n),
        };
        self.elements(n, 1, depth)?;
        for _ in 0..n {
            self.value(h & 0x0f, depth + 1, true)?;
        }
        Ok(())
    }

    fn map(&mut self, depth: u32) -> Result<(), Malformed> {
        let n = self.varint()?;
        if n == 0 {
            return Ok(());
        }
        let kv = self.byte()?;
        self.elements(n, 2, depth)?;
        for _ in 0..n {
            self.value(kv >> 4, depth + 1, true)?;
            self.value(kv & 0x0f, depth + 1, true)?;
        }
        Ok(())
    }

    /// A collection of `n` entries of at least `min` bytes each must fit.
    fn elements(&self, n: u64, min: u64, depth: u32) -> Result<(), Malformed> {
        if depth >= MAX_DEPTH {
            return Err(Malformed::Bad(format!("nested deeper than {MAX_DEPTH}")));
        }
        match n.checked_mul(min) {
            Some(b) if b <= self.left() as u64 => Ok(()),
            _ if self.left() == 0 => Err(Malformed::Truncated),
            _ => Err(Malformed::Bad(format!(
                "a collection of {n} entries in {} bytes",
                self.left()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_list_of_booleans_is_refused_at_once() {
        // struct { 1: list<bool> of 2^31 - 1 } in compact form.
        let mut b = vec![0x19, 0xf1, 0xff, 0xff, 0xff, 0xff, 0x07];
        b.extend([1, 2, 1, 0]);
        match walk_struct(&b, 0) {
            Err(Malformed::Bad(m)) => assert!(m.contains("2147483647 entries"), "{m}"),
            other => panic!("{other:?}"),
        }
        // The same list with its three elements present is fine.
        let ok = [0x19, 0x31, 1, 2, 1, 0];
        assert_eq!(
            walk_struct(&ok, 0),
            Ok(Walked {
                len: 6,
                field: None
            })
        );
    }

    #[test]
    fn fields_are_found_and_truncation_is_told_apart() {
        // { 1: i32 3 (zigzag 6), 3: i32 -2 (zigzag 3), 5: struct { 1: true } }
        let b = [0x15, 0x06, 0x25, 0x03, 0x2c, 0x11, 0x00, 0x00];
        assert_eq!(
            walk_struct(&b, 3),
            Ok(Walked {
                len: 8,
                field: Some(-2)
            })
        );
        assert_eq!(walk_struct(&b[..5], 3), Err(Malformed::Truncated));
        let deep: Vec<u8> = std::iter::repeat_n(0x1c, 100).collect();
        assert!(matches!(walk_struct(&deep, 0), Err(Malformed::Bad(_))));
    }
}
