//! What the fuzz targets share: a request read from the fuzzer's bytes, fixed keys (so a
//! committed seed signed with them still verifies on every run), and a one-byte mutation.
//!
//! Nothing here re-implements a rule of the services: the targets call the services' own
//! parsers and check properties of their answers.

mod fixtures;

pub use fixtures::*;

/// An HTTP request as the fuzzer writes it, in the layout of the seed files:
///
/// ```text
/// METHOD
/// path
/// query
/// Name: value        (one header a line, until an empty line)
///
/// body bytes
/// ```
#[derive(Debug, Clone)]
pub struct RawRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: Vec<(&'a str, &'a str)>,
    pub body: &'a [u8],
}

impl<'a> RawRequest<'a> {
    /// Reads the layout above; `None` when the head is not UTF-8 or is cut short.
    pub fn read(data: &'a [u8]) -> Option<RawRequest<'a>> {
        let split = find(data, b"\n\n");
        let (head, body) = match split {
            Some(at) => (&data[..at], &data[at + 2..]),
            None => (data, &[][..]),
        };
        let head = std::str::from_utf8(head).ok()?;
        let mut lines = head.split('\n');
        let method = lines.next()?;
        let path = lines.next()?;
        let query = lines.next()?;
        let headers = lines
            .map(|line| {
                let (name, value) = line.split_once(':').unwrap_or((line, ""));
                (name, value.strip_prefix(' ').unwrap_or(value))
            })
            .collect();
        Some(RawRequest {
            method,
            path,
            query,
            headers,
            body,
        })
    }

    /// Whether the headers could travel over HTTP as they are: names are tokens, values
    /// visible ASCII, space or tab (actix hands a service only such headers as `&str`).
    pub fn is_http(&self) -> bool {
        let token = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        };
        let value = |s: &str| s.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b));
        self.headers.iter().all(|(n, v)| token(n) && value(v))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `text` with the byte at `at % len` replaced by `with` (kept UTF-8: only an ASCII byte
/// is replaced, by an ASCII byte); `None` when nothing changes.
pub fn mutate_ascii(text: &str, at: usize, with: u8) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    let at = at % bytes.len();
    let with = with & 0x7f;
    if !bytes[at].is_ascii() || bytes[at] == with {
        return None;
    }
    bytes[at] = with;
    String::from_utf8(bytes).ok()
}
