//! Server-side request forgery guard for webhooks: a URL must be http(s), and by default
//! every address its host resolves to must be public. The sender then connects to the
//! address checked here (no second DNS lookup an attacker could rebind).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;

use crate::error::ServiceError;

/// Syntax check at submission time (`VALIDATION_ERROR` for a bad URL).
pub fn validate_url_syntax(url: &str) -> Result<Url, ServiceError> {
    let u = Url::parse(url)
        .map_err(|e| ServiceError::Validation(format!("webhook_url {url:?}: {e}")))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(ServiceError::Validation(format!(
            "webhook_url {url:?}: must be an http or https URL with a host"
        )));
    }
    Ok(u)
}

fn v4_is_private(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10 carrier-grade NAT
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18.0.0/15 benchmarking
        || o[0] >= 240
}

fn v6_is_private(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_is_private(v4);
    }
    let s = ip.segments();
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
}

/// True for loopback, private, link-local and other non-public addresses.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_is_private(v4),
        IpAddr::V6(v6) => v6_is_private(v6),
    }
}

/// Resolves the URL's host and returns the address to connect to, refusing non-public
/// ones unless `allow_private`.
pub async fn resolve_checked(url: &Url, allow_private: bool) -> Result<SocketAddr, String> {
    let host = url.host_str().ok_or("URL has no host")?;
    let port = url.port_or_known_default().ok_or("URL has no port")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    let first = *addrs.first().ok_or(format!("{host} has no address"))?;
    if !allow_private {
        if let Some(bad) = addrs.iter().find(|a| is_private(a.ip())) {
            return Err(format!(
                "refused: {host} resolves to non-public address {} (set WEBHOOK_ALLOW_PRIVATE=true to allow)",
                bad.ip()
            ));
        }
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_addresses() {
        for p in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(p.parse().unwrap()), "{p}");
        }
        for p in ["8.8.8.8", "1.1.1.1", "2606:4700::1111"] {
            assert!(!is_private(p.parse().unwrap()), "{p}");
        }
    }

    #[tokio::test]
    async fn refuses_loopback_unless_allowed() {
        let u = validate_url_syntax("http://localhost:9/hook").unwrap();
        assert!(resolve_checked(&u, false)
            .await
            .unwrap_err()
            .contains("refused"));
        assert!(resolve_checked(&u, true).await.is_ok());
        assert!(validate_url_syntax("ftp://x/").is_err());
        assert!(validate_url_syntax("not a url").is_err());
    }
}
