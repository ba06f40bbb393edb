//! Where a service sends the requests signed with temporary keys: the `[lakeformation]`
//! section of iam-svc, swr-svc and tcr-svc.

use serde::Deserialize;

use super::{check_http_url, ConfigError};

/// The issuer that checks requests carrying a security token (`X-Security-Token`,
/// `X-TC-Token`): lakeformation-svc.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemporaryKeyIssuer {
    /// lakeformation-svc's address; empty refuses every security token.
    pub url: String,
}

impl TemporaryKeyIssuer {
    /// The issuer's address, `None` when none is configured (every security token is
    /// then refused).
    ///
    /// ```
    /// use service_kit::config::TemporaryKeyIssuer;
    ///
    /// assert_eq!(TemporaryKeyIssuer { url: " ".into() }.url(), None);
    /// let lf = TemporaryKeyIssuer { url: "http://127.0.0.1:8083".into() };
    /// assert_eq!(lf.url(), Some("http://127.0.0.1:8083"));
    /// lf.validate().unwrap();
    /// ```
    pub fn url(&self) -> Option<&str> {
        Some(self.url.as_str()).filter(|url| !url.trim().is_empty())
    }

    /// An address, when there is one, is an `http://` or `https://` URL.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match self.url() {
            Some(url) => check_http_url("lakeformation.url", url),
            None => Ok(()),
        }
    }
}
