//! The address of the client behind a request, for the rules that count per client
//! (failed logins) and for the access log.
//!
//! Behind a load balancer every connection comes from the balancer, so counting per peer
//! would let one attacker lock every user out. The client is then named by
//! `X-Forwarded-For`, which anyone can send: it is believed only when the peer itself is a
//! trusted proxy (`server.trusted_proxies`), and then only its right-most entry that is not
//! a trusted proxy, since everything to the left of what our own proxy appended is the
//! client's to invent.

use std::net::{IpAddr, SocketAddr};

use actix_web::HttpRequest;

const FORWARDED_FOR: &str = "x-forwarded-for";

/// The trusted proxies, as app data [`super::serve`] adds for the access log.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Vec<String>);

/// One `server.trusted_proxies` entry: an address (`10.0.0.5`, `::1`) or a network in CIDR
/// form (`10.0.0.0/8`, `fd00::/8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyRange {
    network: IpAddr,
    prefix: u8,
}

impl ProxyRange {
    /// Parse an entry; the message names it, for the configuration error.
    pub fn parse(text: &str) -> Result<ProxyRange, String> {
        let bad = || format!("{text:?} is not an IP address or a network like 10.0.0.0/8");
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let network = canonical(address.parse::<IpAddr>().map_err(|_| bad())?);
        let width = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(bad)?,
            None => width,
        };
        Ok(ProxyRange { network, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                same_prefix(u32::from(net).into(), u32::from(ip).into(), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                same_prefix(u128::from(net), u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

fn same_prefix(a: u128, b: u128, prefix: u8, width: u8) -> bool {
    let shift = u32::from(width - prefix);
    a.checked_shr(shift).unwrap_or(0) == b.checked_shr(shift).unwrap_or(0)
}

/// An IPv4 client on a dual-stack socket shows as `::ffff:a.b.c.d`; it is the same client.
fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// The client's address: the peer's, unless the peer is one of `trusted_proxies`, then the
/// right-most `X-Forwarded-For` entry that is not a trusted proxy (malformed entries are
/// skipped). Empty when the request has no peer (an in-process test).
pub fn client_address(req: &HttpRequest, trusted_proxies: &[String]) -> String {
    let Some(peer) = req.peer_addr() else {
        return String::new();
    };
    let trusted: Vec<ProxyRange> = trusted_proxies
        .iter()
        .filter_map(|entry| ProxyRange::parse(entry).ok())
        .collect();
    let forwarded = req
        .headers()
        .get_all(FORWARDED_FOR)
        .filter_map(|value| value.to_str().ok());
    resolve(peer.ip(), forwarded, &trusted).to_string()
}

/// The rule of [`client_address`] over plain values. `forwarded` lists the header's
/// values in the order received (several headers read as one list).
fn resolve<'a>(
    peer: IpAddr,
    forwarded: impl Iterator<Item = &'a str>,
    trusted: &[ProxyRange],
) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|range| range.contains(ip));
    let peer = canonical(peer);
    if !is_trusted(peer) {
        return peer;
    }
    let entries: Vec<IpAddr> = forwarded
        .flat_map(|value| value.split(','))
        .filter_map(parse_entry)
        .collect();
    // Right to left, past our own proxies; if every entry is one, the left-most is the
    // nearest thing to a client there is.
    let mut client = peer;
    for ip in entries.into_iter().rev() {
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

/// An entry is an address, possibly with a port (`1.2.3.4:5678`, `[::1]:80`); anything
/// else (`unknown`, garbage) is skipped.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn ranges(list: &[&str]) -> Vec<ProxyRange> {
        list.iter().map(|e| ProxyRange::parse(e).unwrap()).collect()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let trusted = ranges(&["10.0.0.1"]);
        let spoofed = ["1.2.3.4, 10.0.0.1"];
        assert_eq!(
            resolve(ip("203.0.113.9"), spoofed.into_iter(), &trusted),
            ip("203.0.113.9")
        );
        // Nothing trusted: the header is never read.
        assert_eq!(
            resolve(ip("10.0.0.1"), spoofed.into_iter(), &[]),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_right_most_untrusted_entry_is_the_client() {
        let trusted = ranges(&["10.0.0.0/8", "fd00::/8"]);
        let peer = ip("10.0.0.1");
        // The client put 6.6.6.6 in front; the proxy appended the real peer it saw.
        let header = ["6.6.6.6, 198.51.100.7"];
        assert_eq!(
            resolve(peer, header.into_iter(), &trusted),
            ip("198.51.100.7")
        );
        // Two of our proxies in a row, over two header lines, with ports and junk.
        let header = ["6.6.6.6, 198.51.100.7:4711", "unknown, 10.1.2.3, fd00::5"];
        assert_eq!(
            resolve(peer, header.into_iter(), &trusted),
            ip("198.51.100.7")
        );
        let header = ["[2001:db8::1]:443"];
        assert_eq!(
            resolve(peer, header.into_iter(), &trusted),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn without_a_usable_entry_the_nearest_address_is_kept() {
        let trusted = ranges(&["10.0.0.0/8"]);
        let peer = ip("10.0.0.1");
        assert_eq!(resolve(peer, std::iter::empty(), &trusted), peer);
        assert_eq!(resolve(peer, ["garbage, ,"].into_iter(), &trusted), peer);
        // Only proxies: the left-most of them.
        assert_eq!(
            resolve(peer, ["10.9.9.9, 10.0.0.2"].into_iter(), &trusted),
            ip("10.9.9.9")
        );
    }

    #[test]
    fn ipv4_on_a_dual_stack_socket_is_the_same_address() {
        let trusted = ranges(&["127.0.0.1"]);
        assert_eq!(
            resolve(ip("::ffff:127.0.0.1"), ["192.0.2.1"].into_iter(), &trusted),
            ip("192.0.2.1")
        );
        assert_eq!(
            resolve(ip("::ffff:192.0.2.8"), std::iter::empty(), &trusted),
            ip("192.0.2.8")
        );
    }

    #[test]
    fn entries_parse_as_addresses_or_networks() {
        assert!(ProxyRange::parse("10.0.0.0/8")
            .unwrap()
            .contains(ip("10.255.0.1")));
        assert!(!ProxyRange::parse("10.0.0.0/8")
            .unwrap()
            .contains(ip("11.0.0.1")));
        assert!(ProxyRange::parse("0.0.0.0/0")
            .unwrap()
            .contains(ip("8.8.8.8")));
        assert!(ProxyRange::parse("::/0")
            .unwrap()
            .contains(ip("2001:db8::1")));
        assert!(!ProxyRange::parse("::/0").unwrap().contains(ip("8.8.8.8")));
        assert!(ProxyRange::parse("::1").unwrap().contains(ip("::1")));
        for bad in [
            "",
            "10.0.0",
            "10.0.0.0/33",
            "::/129",
            "host.example",
            "10.0.0.0/x",
        ] {
            let err = ProxyRange::parse(bad).unwrap_err();
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn the_request_is_read_through_its_peer_and_headers() {
        let trusted = vec!["127.0.0.1".to_string()];
        let req = TestRequest::default()
            .peer_addr("127.0.0.1:40000".parse().unwrap())
            .insert_header((FORWARDED_FOR, "6.6.6.6, 192.0.2.44"))
            .to_http_request();
        assert_eq!(client_address(&req, &trusted), "192.0.2.44");
        let req = TestRequest::default()
            .peer_addr("192.0.2.50:40000".parse().unwrap())
            .insert_header((FORWARDED_FOR, "192.0.2.44"))
            .to_http_request();
        assert_eq!(client_address(&req, &trusted), "192.0.2.50");
        assert_eq!(
            client_address(&TestRequest::default().to_http_request(), &trusted),
            ""
        );
    }
}
