//! The `Idempotency-Key` request header of `POST /api/v1/videos/upload` and
//! `POST /api/v1/jobs` (**Beyond**; the IETF httpapi draft "The Idempotency-Key HTTP
//! Header Field"): a retry carrying the key of a request that made a resource answers
//! that resource instead of making a second one.
//!
//! A key is checked three ways: in this process, a key whose request is still being
//! processed is refused at once ([`Service::claim_key`], 409 `IDEMPOTENCY_KEY_IN_FLIGHT`);
//! a key recorded in the database (live: younger than `IDEMPOTENCY_KEY_TTL_SECONDS`)
//! answers its resource when the request's fingerprint is the recorded one, else 422
//! `IDEMPOTENCY_KEY_MISMATCH`; and the key's row is written in the same transaction as
//! the resource's, after a check for it inside that transaction, so requests racing in
//! separate processes still make one resource (`stylecut_store::idempotency`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::error::ServiceError;
use crate::service::Service;

/// Longest key accepted (characters, all visible ASCII).
pub const MAX_KEY_LEN: usize = 255;

/// The operation a key belongs to: keys of one operation never name resources of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Upload,
    Job,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Upload => "upload",
            Scope::Job => "job",
        }
    }
}

/// A valid key: 1 to [`MAX_KEY_LEN`] visible ASCII characters (`!` to `~`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Reads a header value: the draft's form, a Structured Field string
    /// (`"8e03978e-…"`, `\"` and `\\` escaped), or the bare key most clients send
    /// (`8e03978e-…`). Anything else (empty, longer than [`MAX_KEY_LEN`], a space, a
    /// control or non-ASCII byte, a bad escape) is `VALIDATION_ERROR`.
    pub fn parse(raw: &[u8]) -> Result<IdempotencyKey, ServiceError> {
        let bad = |why: &str| {
            ServiceError::Validation(format!(
                "Idempotency-Key: {why}; a key is 1 to {MAX_KEY_LEN} visible ASCII characters \
                 (a UUID is best), bare or as a quoted string"
            ))
        };
        let key: Vec<u8> = match raw {
            [b'"', inner @ .., b'"'] => {
                let mut out = Vec::with_capacity(inner.len());
                let mut it = inner.iter();
                while let Some(&b) = it.next() {
                    match b {
                        b'\\' => match it.next() {
                            Some(&e @ (b'"' | b'\\')) => out.push(e),
                            _ => return Err(bad("a backslash escapes only `\"` and `\\`")),
                        },
                        b'"' => return Err(bad("an unescaped `\"` inside the quoted key")),
                        b => out.push(b),
                    }
                }
                out
            }
            _ => raw.to_vec(),
        };
        if key.is_empty() {
            return Err(bad("empty"));
        }
        if key.len() > MAX_KEY_LEN {
            return Err(bad(&format!("{} characters", key.len())));
        }
        if let Some(b) = key.iter().find(|b| !(0x21..=0x7e).contains(*b)) {
            return Err(bad(&format!("byte 0x{b:02x} is not visible ASCII")));
        }
        // Only visible ASCII is left.
        Ok(IdempotencyKey(
            String::from_utf8(key).map_err(|_| bad("not ASCII"))?,
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Keys whose request this process is processing now.
#[derive(Clone, Default)]
pub struct InFlight(Arc<Mutex<HashSet<(Scope, String)>>>);

impl InFlight {
    fn set(&self) -> std::sync::MutexGuard<'_, HashSet<(Scope, String)>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A key held by the request processing it; released when dropped (the request answered,
/// refused, or its client gone before the body was whole; an upload's commit, which runs to
/// its end without its client, holds it to that end).
pub struct KeyClaim {
    inflight: InFlight,
    pub scope: Scope,
    pub key: IdempotencyKey,
}

impl Drop for KeyClaim {
    fn drop(&mut self) {
        self.inflight
            .set()
            .remove(&(self.scope, self.key.as_str().to_string()));
    }
}

impl KeyClaim {
    /// The row to record with the resource, expiring after `ttl`.
    pub(crate) fn new_key(
        &self,
        fingerprint: &str,
        ttl: std::time::Duration,
    ) -> stylecut_store::NewKey {
        stylecut_store::NewKey {
            scope: self.scope.as_str().to_string(),
            key: self.key.as_str().to_string(),
            fingerprint: fingerprint.to_string(),
            expires_ms: stylecut_store::time::now_ms()
                .saturating_add(ttl.as_millis().min(i64::MAX as u128) as i64),
        }
    }

    /// `IDEMPOTENCY_KEY_MISMATCH` unless `fingerprint` is the recorded one.
    pub(crate) fn check(
        &self,
        row: &stylecut_store::KeyRow,
        fingerprint: &str,
    ) -> Result<(), ServiceError> {
        if row.fingerprint == fingerprint {
            return Ok(());
        }
        let what = match self.scope {
            Scope::Upload => "an upload with another file or other form fields",
            Scope::Job => "a job request with another body",
        };
        Err(ServiceError::KeyMismatch(format!(
            "Idempotency-Key {:?} was used at {} for {what} (it made {}); use a new key for \
             a new request",
            self.key.as_str(),
            row.created_at,
            row.resource_id
        )))
    }
}

/// Fingerprint of a request: `sha256:` and the hex SHA-256 of the canonical JSON of its
/// parts (an array, so no field can run into the next).
pub fn fingerprint(parts: &serde_json::Value) -> String {
    let text = serde_json::to_string(parts).unwrap_or_default();
    format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes())))
}

impl Service {
    /// Takes `key` of `scope` for a request of this process: `IDEMPOTENCY_KEY_IN_FLIGHT`
    /// (409, `Retry-After`) while another request with it is being processed here.
    pub fn claim_key(&self, scope: Scope, key: IdempotencyKey) -> Result<KeyClaim, ServiceError> {
        if !self
            .idempotency
            .set()
            .insert((scope, key.as_str().to_string()))
        {
            return Err(ServiceError::KeyInFlight(format!(
                "a request with Idempotency-Key {:?} is still being processed; send this \
                 one again when it has been answered (it then answers the same {})",
                key.as_str(),
                match scope {
                    Scope::Upload => "video",
                    Scope::Job => "job",
                }
            )));
        }
        Ok(KeyClaim {
            inflight: self.idempotency.clone(),
            scope,
            key,
        })
    }

    /// Drops the keys whose retention has passed (run by the reclaimer, about once a
    /// minute); an expired key is already ignored before it is dropped.
    pub async fn purge_expired_keys(&self) {
        match self
            .db
            .purge_expired_keys(stylecut_store::time::now_ms())
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(keys = n, "dropped expired idempotency keys"),
            Err(e) => tracing::warn!("dropping expired idempotency keys failed: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_bare_or_quoted() {
        let ok = |s: &[u8]| IdempotencyKey::parse(s).map(|k| k.0);
        assert_eq!(
            ok(b"8e03978e-40d5-43e8-bc93-6894a57f9324").unwrap(),
            "8e03978e-40d5-43e8-bc93-6894a57f9324"
        );
        assert_eq!(ok(b"\"abc\"").unwrap(), "abc");
        assert_eq!(ok(br#""a\"b\\c""#).unwrap(), r#"a"b\c"#);
        assert_eq!(ok(&[b'k'; 255]).unwrap().len(), 255);
        for bad in [
            &b""[..],
            b"\"\"",
            &[b'k'; 256][..],
            b"a b",
            b"a\tb",
            b"\"a b\"",
            "clé".as_bytes(),
            b"\"a\\nb\"",
            b"\"a\"b\"",
        ] {
            let e = IdempotencyKey::parse(bad).unwrap_err();
            assert_eq!(
                e.code(),
                stylecut_types::ErrorCode::ValidationError,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn fingerprints_tell_requests_apart() {
        let a = fingerprint(&serde_json::json!(["upload", "ab", 1]));
        assert!(a.starts_with("sha256:") && a.len() == 7 + 64, "{a}");
        assert_eq!(a, fingerprint(&serde_json::json!(["upload", "ab", 1])));
        assert_ne!(a, fingerprint(&serde_json::json!(["upload", "a", "b1"])));
    }
}
