//! Layered configuration: defaults, then a config file (`--config FILE` or `STYLECUT_CONFIG`,
//! `KEY=value` lines, `#` comments; see `docs/stylecut.env.example`), then environment
//! variables, then command-line flags. Every key is documented in `docs/CONFIG.md`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use stylecut_jobs::Settings;

/// Configuration source: environment over file.
pub struct Layers {
    file: HashMap<String, String>,
}

impl Layers {
    pub fn load(config: Option<&Path>) -> anyhow::Result<Layers> {
        let path = config
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("STYLECUT_CONFIG").map(PathBuf::from));
        let mut file = HashMap::new();
        if let Some(p) = path {
            let text = std::fs::read_to_string(&p)
                .with_context(|| format!("reading config file {}", p.display()))?;
            file = parse_env_file(&text)
                .with_context(|| format!("parsing config file {}", p.display()))?;
        }
        Ok(Layers { file })
    }

    pub fn get(&self, key: &str) -> Option<String> {
        std::env::var(key)
            .ok()
            .or_else(|| self.file.get(key).cloned())
            .filter(|v| !v.trim().is_empty())
    }

    fn num(&self, key: &str) -> anyhow::Result<Option<f64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => {
                let n: f64 = v
                    .trim()
                    .parse()
                    .with_context(|| format!("{key}={v:?} is not a number"))?;
                if !(n.is_finite() && n >= 0.0) {
                    bail!("{key}={v:?} must be a non-negative number");
                }
                Ok(Some(n))
            }
        }
    }

    pub fn flag(&self, key: &str) -> anyhow::Result<Option<bool>> {
        match self.get(key).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(None),
            Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(Some(true)),
            Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(Some(false)),
            Some(v) => bail!("{key}={v:?} must be true or false"),
        }
    }

    /// Job-service settings (the bind address and data directory are resolved by the caller).
    pub fn settings(&self, data_dir: PathBuf, public_base_url: String) -> anyhow::Result<Settings> {
        let mut s = Settings::new(data_dir, public_base_url);
        let secs = Duration::from_secs_f64;
        if let Some(mb) = self.num("MAX_FILE_SIZE_MB")? {
            s.max_file_size_bytes = (mb * 1024.0 * 1024.0) as u64;
        }
        if let Some(t) = self.num("PROCESSING_TIMEOUT_SECONDS")? {
            s.processing_timeout = secs(t);
        }
        if let Some(n) = self.num("MAX_CONCURRENT_JOBS")? {
            if n < 1.0 {
                bail!("MAX_CONCURRENT_JOBS must be >= 1");
            }
            s.max_concurrent_jobs = n as usize;
        }
        if let Some(n) = self.num("MAX_JOB_ATTEMPTS")? {
            s.max_job_attempts = (n as i64).max(1);
        }
        if let Some(t) = self.num("JOB_LEASE_SECONDS")? {
            s.lease = secs(t.max(0.5));
            s.heartbeat = s.heartbeat.min(s.lease / 3);
        }
        if let Some(t) = self.num("JOB_STALL_SECONDS")? {
            s.job_stall = secs(t);
        }
        s.webhook_secret = self.get("WEBHOOK_SECRET");
        if let Some(b) = self.flag("WEBHOOK_ALLOW_PRIVATE")? {
            s.webhook_allow_private = b;
        }
        if let Some(t) = self.num("WEBHOOK_TIMEOUT_SECONDS")? {
            s.webhook_timeout = secs(t);
        }
        if let Some(t) = self.num("WEBHOOK_RETRY_BASE_SECONDS")? {
            s.webhook_backoff_base = secs(t);
        }
        if let Some(t) = self.num("WEBHOOK_RETRY_MAX_SECONDS")? {
            s.webhook_backoff_max = secs(t);
        }
        if let Some(n) = self.num("WEBHOOK_MAX_ATTEMPTS")? {
            s.webhook_max_attempts = (n as i64).max(1);
        }
        if let Some(t) = self.num("IDEMPOTENCY_KEY_TTL_SECONDS")? {
            s.idempotency_key_ttl = secs(t);
        }
        Ok(s)
    }
}

/// `KEY=value` lines; blank lines and `#` comments ignored; optional quotes stripped.
pub fn parse_env_file(text: &str) -> anyhow::Result<HashMap<String, String>> {
    let mut m = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            bail!("line {}: expected KEY=value", i + 1);
        };
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        m.insert(k.trim().to_string(), v.to_string());
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file() {
        let m = parse_env_file("# c\n\nA=1\n B = \"x y\" \nC=\n").unwrap();
        assert_eq!(m["A"], "1");
        assert_eq!(m["B"], "x y");
        assert_eq!(m["C"], "");
        assert!(parse_env_file("nokey").is_err());
    }

    #[test]
    fn example_file_parses_and_names_known_keys() {
        let text = include_str!("../../../docs/stylecut.env.example");
        let m = parse_env_file(text).unwrap();
        let l = Layers { file: m };
        let s = l.settings("d".into(), "http://x".into()).unwrap();
        assert_eq!(s.max_file_size_bytes, 1000 * 1024 * 1024);
        assert_eq!(s.processing_timeout, Duration::from_secs(3600));
        assert_eq!(s.idempotency_key_ttl, Duration::from_secs(24 * 3600));
    }
}
