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

/// How long creation waits for the name of a webhook target to resolve.
const CREATION_LOOKUP: std::time::Duration = std::time::Duration::from_secs(2);

/// The setting that lets webhooks reach private addresses, as the refusals name it.
pub const ALLOW_PRIVATE_SETTING: &str = "WEBHOOK_ALLOW_PRIVATE=true";

/// The address policy of delivery applied when a `webhook_url` is given (job creation,
/// upload), so a target delivery would refuse is refused at once with `VALIDATION_ERROR`
/// instead of hours later in the webhook log. Unless `allow_private`:
///
/// * a literal IP host (`http://127.0.0.1:9000/`, `http://[::1]/`, and the numeric forms the
///   URL standard reads as IPv4, `http://2130706433/`) must be public;
/// * `localhost` and `*.localhost` (loopback by definition, RFC 6761) are refused;
/// * any other name is looked up (at most [`CREATION_LOOKUP`]) and refused when an address
///   it resolves to now is not public. A name that does not resolve in time is accepted:
///   DNS can change between creation and delivery, so delivery resolves again, checks
///   again and connects to the address it checked ([`resolve_checked`]); this check only
///   catches what is already known to be refused.
pub async fn check_target(url: &Url, allow_private: bool) -> Result<(), ServiceError> {
    if allow_private {
        return Ok(());
    }
    let refuse = |what: String| {
        ServiceError::Validation(format!(
            "webhook_url {:?}: {what}, not a public address; webhooks go to public addresses \
             only unless the server is started with {ALLOW_PRIVATE_SETTING} (a receiver on \
             this machine or a private network)",
            url.as_str()
        ))
    };
    // The URL parser has already normalised the host: IPv4 in dotted form (whatever the
    // spelling given), IPv6 in brackets, names in lower case.
    let Some(host) = url.host_str() else {
        return Ok(());
    };
    if let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        if is_private(ip) {
            return Err(refuse(format!(
                "{ip} is a loopback, private or reserved address"
            )));
        }
        return Ok(());
    }
    let host = host.trim_end_matches('.');
    if host == "localhost" || host.ends_with(".localhost") {
        return Err(refuse(format!("{host} is this machine (loopback)")));
    }
    let Some(port) = url.port_or_known_default() else {
        return Ok(());
    };
    match tokio::time::timeout(CREATION_LOOKUP, tokio::net::lookup_host((host, port))).await {
        Ok(Ok(addrs)) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            match addrs.iter().find(|a| is_private(a.ip())) {
                Some(bad) => Err(refuse(format!(
                    "{host} resolves to {}, a loopback, private or reserved address",
                    bad.ip()
                ))),
                None => Ok(()),
            }
        }
        // Not resolvable now (or slow): delivery decides with what DNS says then.
        Ok(Err(_)) | Err(_) => Ok(()),
    }
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
    if let Some(v4) = embedded_v4(ip) {
        return v4_is_private(v4);
    }
    let s = ip.segments();
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only 100::/64
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation 2001:db8::/32
        || (s[0] == 0x0064 && s[1] == 0xff9b && s[2] == 0x0001) // local-use NAT64 64:ff9b:1::/48
}

/// The IPv4 address an IPv6 address carries to a translator or relay, where a gateway on
/// the server's network would forward it there: the well-known NAT64 prefix
/// `64:ff9b::/96` (RFC 6052, the address in the last 32 bits), 6to4 `2002::/16` (RFC
/// 3056, bits 16–47), Teredo `2001::/32` (RFC 4380, the client's address in the last 32
/// bits, inverted) and the deprecated IPv4-compatible `::a.b.c.d`. `http://[64:ff9b::7f00:1]/`
/// is 127.0.0.1 to a server behind NAT64.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    match s {
        [0x0064, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(low(hi, lo)),
        [0x2002, hi, lo, ..] => Some(low(hi, lo)),
        [0x2001, 0, _, _, _, _, hi, lo] => Some(low(!hi, !lo)),
        [0, 0, 0, 0, 0, 0, hi, lo] if (hi, lo) > (0, 1) => Some(low(hi, lo)),
        _ => None,
    }
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
            "64:ff9b::7f00:1",          // NAT64 of 127.0.0.1
            "64:ff9b::a9fe:a9fe",       // NAT64 of 169.254.169.254
            "64:ff9b:1::1",             // local-use NAT64
            "2002:7f00:1::",            // 6to4 of 127.0.0.1
            "2002:c0a8:101::1",         // 6to4 of 192.168.1.1
            "2001:0:1:2:3:4:80ff:fffe", // Teredo client 127.0.0.1 (inverted)
            "::127.0.0.1",              // IPv4-compatible
            "2001:db8::1",
            "100::1",
        ] {
            assert!(is_private(p.parse().unwrap()), "{p}");
        }
        for p in [
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700::1111",
            "64:ff9b::808:808",  // NAT64 of 8.8.8.8
            "2002:808:808::1",   // 6to4 of 8.8.8.8
            "2a00:1450:4001::1", // an ordinary global address
        ] {
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

    /// Creation refuses what delivery would refuse, naming the field and the setting;
    /// the setting lets every target through, and public literal addresses pass.
    #[tokio::test]
    async fn creation_refuses_private_targets_unless_allowed() {
        for u in [
            "http://127.0.0.1:9/hook",
            "http://10.0.0.5/hook",
            "http://169.254.169.254/latest",
            "http://[::1]:8080/",
            "http://[::ffff:192.168.0.1]/",
            "http://[64:ff9b::7f00:1]/", // 127.0.0.1 through NAT64
            "http://[2002:7f00:1::]/",   // 127.0.0.1 through 6to4
            "http://2130706433/",        // 127.0.0.1 as one number
            "http://0x7f.1/",
            "http://localhost:9000/hook",
            "http://LOCALHOST./hook",
            "http://api.localhost/hook",
        ] {
            let url = validate_url_syntax(u).unwrap();
            let e = check_target(&url, false).await.unwrap_err();
            let ServiceError::Validation(m) = &e else {
                panic!("{u}: {e:?}");
            };
            assert!(m.starts_with("webhook_url "), "{m}");
            assert!(m.contains(ALLOW_PRIVATE_SETTING), "{m}");
            assert!(check_target(&url, true).await.is_ok(), "{u}");
        }
        for u in ["http://8.8.8.8/hook", "https://[2606:4700::1111]/x"] {
            let url = validate_url_syntax(u).unwrap();
            assert!(check_target(&url, false).await.is_ok(), "{u}");
        }
    }
}
