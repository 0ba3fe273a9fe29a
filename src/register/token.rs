//! 令牌: bearer tokens for the register, created from the CLI, shown once and
//! stored as their SHA-256 only.
//!
//! Why no slow hash (bcrypt, Argon2): a token is 256 bits from the operating
//! system's CSPRNG, not a password a person chose. Slow hashes make guessing
//! low-entropy secrets expensive; here guessing is already hopeless (2^256
//! candidates), so a fast hash loses nothing, and it lets the server find a
//! token by an indexed lookup of its hash on every request.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::scope::{Place, Role};
use super::store::Store;
use super::{rfc3339, text_field, RegisterError};
use crate::atlas::Atlas;
use crate::governance::Rules;

/// Every token starts with this prefix (easy to recognise in a leaked file).
pub const PREFIX: &str = "liuyu_";

/// A token as stored (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    /// Public id (`tok_...`): used to list and revoke, and named in the logs.
    pub id: String,
    /// Role.
    pub role: Role,
    /// The jurisdiction's adcode.
    pub jurisdiction: String,
    /// The department id, for the `department` role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Who holds it (`鄂州市生态环境保护委员会办公室`).
    pub name: String,
    /// Creation time, RFC 3339.
    pub created_at: String,
    /// Revocation time, if revoked.
    pub revoked_at: Option<String>,
}

/// A new token: the stored record and the secret, shown once.
#[derive(Debug, Clone, Serialize)]
pub struct NewToken {
    /// The record.
    #[serde(flatten)]
    pub record: Token,
    /// The bearer token. It is not stored and cannot be shown again.
    pub token: String,
}

/// What a token is asked to be.
#[derive(Debug, Clone)]
pub struct TokenSpec {
    /// Role.
    pub role: Role,
    /// Jurisdiction adcode.
    pub jurisdiction: String,
    /// Department id (required for, and only for, the department role).
    pub department: Option<String>,
    /// Holder's name.
    pub name: String,
}

/// SHA-256 of a token, hex.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether a string has the shape of a token (`liuyu_` + 64 hex digits).
pub fn well_formed(secret: &str) -> bool {
    secret.strip_prefix(PREFIX).is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// `n` random bytes from the operating system's CSPRNG, hex.
pub fn random_hex(n: usize) -> Result<String, RegisterError> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b)
        .map_err(|e| RegisterError::Internal(format!("no randomness from the OS: {e}")))?;
    Ok(hex::encode(b))
}

impl TokenSpec {
    /// Checks the spec against the atlas and the rules: a known jurisdiction, a
    /// department id that exists, a department exactly for the department role.
    pub fn validate(&self, atlas: &Atlas, rules: &Rules) -> Result<Place, RegisterError> {
        let place = Place::resolve(atlas, &self.jurisdiction).ok_or_else(|| {
            RegisterError::BadInput(format!(
                "`{}` is not the adcode of Hubei (420000), one of its prefecture-level or county-level units",
                self.jurisdiction.chars().take(20).collect::<String>()
            ))
        })?;
        match (self.role, &self.department) {
            (Role::Department, None) => {
                return Err(RegisterError::BadInput(
                    "the department role needs --department ID".into(),
                ))
            }
            (Role::Department, Some(d)) if rules.department(d).is_none() => {
                let ids: Vec<&str> = rules.departments.iter().map(|d| d.id.as_str()).collect();
                return Err(RegisterError::BadInput(format!(
                    "unknown department `{}`; one of: {}",
                    d.chars().take(40).collect::<String>(),
                    ids.join(", ")
                )));
            }
            (Role::Office | Role::Reader, Some(_)) => {
                return Err(RegisterError::BadInput(
                    "--department is only for the department role".into(),
                ))
            }
            _ => {}
        }
        text_field("name", &self.name, 200)?;
        Ok(place)
    }
}

fn token_from_row(r: &AnyRow) -> Result<Token, sqlx::Error> {
    let role: String = r.try_get("role")?;
    Ok(Token {
        id: r.try_get("id")?,
        role: Role::parse(&role).unwrap_or(Role::Reader),
        jurisdiction: r.try_get("jurisdiction")?,
        department: r.try_get("department")?,
        name: r.try_get("name")?,
        created_at: rfc3339(r.try_get("created_at")?),
        revoked_at: r.try_get::<Option<i64>, _>("revoked_at")?.map(rfc3339),
    })
}

const COLUMNS: &str = "id, role, jurisdiction, department, name, created_at, revoked_at";

/// Creates a token (already validated) and returns it with its secret.
pub async fn create(store: &Store, spec: &TokenSpec) -> Result<NewToken, RegisterError> {
    let secret = format!("{PREFIX}{}", random_hex(32)?);
    let id = format!("tok_{}", random_hex(8)?);
    let now = super::now();
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "INSERT INTO tokens (id, hash, role, jurisdiction, department, name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(hash(&secret))
    .bind(spec.role.as_str())
    .bind(&spec.jurisdiction)
    .bind(spec.department.clone())
    .bind(&spec.name)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(NewToken {
        record: Token {
            id,
            role: spec.role,
            jurisdiction: spec.jurisdiction.clone(),
            department: spec.department.clone(),
            name: spec.name.clone(),
            created_at: rfc3339(now),
            revoked_at: None,
        },
        token: secret,
    })
}

/// Every token, oldest first.
pub async fn list(store: &Store) -> Result<Vec<Token>, RegisterError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM tokens ORDER BY created_at, id"
    ))
    .fetch_all(store.reader())
    .await?;
    Ok(rows.iter().map(token_from_row).collect::<Result<_, _>>()?)
}

/// Revokes a token by id (idempotent); `None` when there is no such token.
pub async fn revoke(store: &Store, id: &str) -> Result<Option<Token>, RegisterError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(super::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM tokens WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row.as_ref().map(token_from_row).transpose()?)
}

/// The token whose secret this is (revoked or not), by its hash.
pub async fn find(store: &Store, secret: &str) -> Result<Option<Token>, RegisterError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM tokens WHERE hash = $1"))
        .bind(hash(secret))
        .fetch_optional(store.reader())
        .await?;
    Ok(row.as_ref().map(token_from_row).transpose()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_and_hash() {
        let s = format!("{PREFIX}{}", random_hex(32).unwrap());
        assert!(well_formed(&s));
        assert!(!well_formed(&s[..s.len() - 1]));
        assert!(!well_formed(&s.to_uppercase()));
        assert!(!well_formed("Bearer x"));
        // SHA-256 test vector (FIPS 180-2, "abc").
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(random_hex(32).unwrap(), random_hex(32).unwrap());
    }
}
