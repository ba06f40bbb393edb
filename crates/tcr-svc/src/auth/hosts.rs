//! Which Host a signed request may name, and what that lets its signature say.
//!
//! A signature binds a request to the host it was made for: the TC3 signature signs the
//! `host` header, the v1 signature puts the host in its string to sign. tcr-svc accepts a
//! request only when its `Host` header is one of this service's names (`api.hosts`), and
//! then only a signature made for that name, so a request signed for another host cannot
//! be sent here. The official SDKs differ in what they sign:
//!
//! * tencentcloud-sdk-python and tccli sign the `Host` header as sent (`127.0.0.1:8084`)
//!   and put `tcr` in the TC3 credential scope.
//! * tencentcloud-sdk-nodejs sends `Host: 127.0.0.1:8084` but signs `host:127.0.0.1` (the
//!   URL's host name, no port) and puts the endpoint's first dot-separated label in the
//!   scope: `127` for `127.0.0.1:8084`, `localhost:8084` for `localhost:8084`, `tcr` for
//!   `tcr.example.com`.
//!
//! So a TC3 signature may sign the `Host` header as sent or, when it carries a port, its
//! host name alone; and its scope may name `tcr` or the `Host` header's first label. Both
//! follow from a `Host` that already names this service, never from the signature.

use std::fmt;

use serde::Deserialize;

/// The service name every SDK but the Node one puts in the TC3 scope.
pub const SERVICE: &str = "tcr";

/// One name clients reach this service by: a host, with a port or without (any port).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct HostName {
    /// Lower case; an IPv6 address in brackets.
    host: String,
    port: Option<u16>,
}

impl TryFrom<String> for HostName {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let refused = || format!("{text:?} is not host or host:port");
        let (host, port) = split_host_port(&text).ok_or_else(refused)?;
        let name_like = host.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']')
        });
        if host.is_empty() || !name_like {
            return Err(refused());
        }
        Ok(HostName {
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

impl fmt::Display for HostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

impl HostName {
    /// The loopback names, on any port: a development service's names when none are
    /// configured.
    pub fn loopback() -> Vec<HostName> {
        ["127.0.0.1", "localhost", "[::1]"]
            .into_iter()
            .map(|host| HostName {
                host: host.into(),
                port: None,
            })
            .collect()
    }

    fn admits(&self, host: &str, port: Option<u16>) -> bool {
        self.host.eq_ignore_ascii_case(host) && self.port.is_none_or(|p| Some(p) == port)
    }
}

/// `host` and its port, if the text has one: `name`, `name:port`, `[v6]`, `[v6]:port`.
/// A bare IPv6 address (colons without brackets) or a port that is not a number is no host.
fn split_host_port(text: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if text.starts_with('[') {
        let end = text.find(']')? + 1;
        let (host, rest) = text.split_at(end);
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match text.split_once(':') {
            None => (text, None),
            Some((host, port)) => (host, Some(port)),
        }
    };
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
    };
    Some((host, port))
}

/// A request's `Host` header that names this service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Addressed<'r> {
    /// The header as sent.
    pub header: &'r str,
    /// Its host name, without the port.
    pub host: &'r str,
    has_port: bool,
}

impl<'r> Addressed<'r> {
    /// The `Host` header `header`, if it is one of `names`. tencentcloud-sdk-python (and
    /// so tccli) given an endpoint with its scheme (`--endpoint http://127.0.0.1:8084`)
    /// sends and signs that whole text as the Host: the name is what follows the scheme.
    pub fn new(names: &[HostName], header: &'r str) -> Option<Addressed<'r>> {
        let header = header.trim();
        let bare = ["http://", "https://"]
            .iter()
            .find_map(|scheme| header.strip_prefix(scheme))
            .unwrap_or(header);
        let (host, port) = split_host_port(bare)?;
        names
            .iter()
            .any(|n| n.admits(host, port))
            .then_some(Addressed {
                header,
                host,
                has_port: port.is_some(),
            })
    }

    /// The host values a TC3 signature may have signed, the likelier first: the header as
    /// sent, and its host name alone when it has a port (the Node SDK's); `node_first`
    /// puts the Node SDK's first.
    pub fn signed_forms(&self, node_first: bool) -> Vec<&'r str> {
        match (self.has_port, node_first) {
            (false, _) => vec![self.header],
            (true, false) => vec![self.header, self.host],
            (true, true) => vec![self.host, self.header],
        }
    }

    /// Whether a TC3 scope may name `service` here: `tcr`, or what the Node SDK derives from
    /// the endpoint this `Host` came from (its first dot-separated label, port included
    /// when there is no dot).
    pub fn scope_service_allowed(&self, service: &str) -> bool {
        let node = self.header.split('.').next().unwrap_or_default();
        service == SERVICE || service.eq_ignore_ascii_case(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<HostName> {
        list.iter()
            .map(|n| HostName::try_from(n.to_string()).unwrap())
            .collect()
    }

    #[test]
    fn names_parse_with_and_without_ports() {
        for good in [
            "127.0.0.1:8084",
            "localhost",
            "TCR.example.com:443",
            "[::1]:8084",
            "[::1]",
        ] {
            let name = HostName::try_from(good.to_string()).unwrap();
            assert_eq!(name.to_string(), good.to_ascii_lowercase());
        }
        for bad in [
            "", ":8084", "::1", "h:", "h:80:80", "h:99999", "h:x", "a b", "[::1", "h/x",
        ] {
            assert!(HostName::try_from(bad.to_string()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_host_is_admitted_by_its_name_and_port() {
        let ours = names(&["127.0.0.1:8084", "localhost", "[::1]:8084"]);
        let admitted = |h: &str| Addressed::new(&ours, h).is_some();
        for yes in [
            "127.0.0.1:8084",
            "localhost",
            "LOCALHOST:9000",
            "[::1]:8084",
            " 127.0.0.1:8084 ",
        ] {
            assert!(admitted(yes), "{yes}");
        }
        let tccli = Addressed::new(&ours, "http://127.0.0.1:8084").unwrap();
        assert_eq!(
            (tccli.header, tccli.host),
            ("http://127.0.0.1:8084", "127.0.0.1")
        );
        assert_eq!(tccli.signed_forms(false)[0], "http://127.0.0.1:8084");
        for no in [
            "127.0.0.1:9000",
            "127.0.0.1",
            "evil.example:8084",
            "[::1]:9",
            "127.0.0.1:8084:1",
            "",
            "ftp://localhost",
            "http://evil.example:8084",
        ] {
            assert!(!admitted(no), "{no}");
        }
    }

    #[test]
    fn the_node_sdks_forms_follow_from_the_host_header() {
        let ours = names(&["127.0.0.1:8084", "localhost:8084", "tcr.example.com"]);
        let ip = Addressed::new(&ours, "127.0.0.1:8084").unwrap();
        assert_eq!(ip.signed_forms(false), ["127.0.0.1:8084", "127.0.0.1"]);
        assert_eq!(ip.signed_forms(true), ["127.0.0.1", "127.0.0.1:8084"]);
        assert!(ip.scope_service_allowed("tcr") && ip.scope_service_allowed("127"));
        assert!(!ip.scope_service_allowed("cvm") && !ip.scope_service_allowed("127.0"));
        let name = Addressed::new(&ours, "localhost:8084").unwrap();
        assert!(name.scope_service_allowed("localhost:8084"));
        assert!(!name.scope_service_allowed("localhost"));
        let bare = Addressed::new(&ours, "tcr.example.com").unwrap();
        assert_eq!(bare.signed_forms(true), ["tcr.example.com"]);
        assert!(!bare.scope_service_allowed("cvm"));
    }
}
