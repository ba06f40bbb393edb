//! The authenticated caller, as every handler sees it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use credential_core::iam_token::{TokenClaims, TokenScope};
use credential_core::session_policy::SessionPolicy;
use serde::{Deserialize, Serialize};

/// A project a caller is scoped to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRef {
    pub id: String,
    pub name: String,
}

/// The temporary key a caller signed with: its lifetime and its session policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryKey {
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The key may do only what its roles and this policy allow
    /// (`service_kit::policy::session_allows`); none: its roles alone decide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<SessionPolicy>,
}

/// Who is calling, in which scope, with which roles. Serialised on the internal
/// signature-check API (without the token).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: String,
    pub user_name: String,
    pub domain_id: String,
    pub domain_name: String,
    /// The project scope, if the credential is project-scoped.
    pub project: Option<ProjectRef>,
    /// Role names in the credential's scope.
    pub roles: Vec<String>,
    /// The access key that signed the request, when the caller signed one.
    #[serde(default)]
    pub access_key: Option<String>,
    /// Set when the caller signed with a temporary key (AK/SK + security token). Such a
    /// caller is weaker than whoever issued the key: services refuse it identity and
    /// credential management and anything that outlives the key.
    #[serde(default)]
    pub temporary: Option<TemporaryKey>,
    /// The verified token, when the caller used one.
    #[serde(skip)]
    pub token: Option<Arc<TokenClaims>>,
}

impl Principal {
    /// The principal a verified IAM token stands for.
    pub fn from_token(claims: Arc<TokenClaims>) -> Principal {
        let project = match &claims.scope {
            TokenScope::Project { id, name, .. } => Some(ProjectRef {
                id: id.clone(),
                name: name.clone(),
            }),
            _ => None,
        };
        Principal {
            user_id: claims.user_id.clone(),
            user_name: claims.user_name.clone(),
            domain_id: claims.domain_id.clone(),
            domain_name: claims.domain_name.clone(),
            project,
            roles: claims.roles.iter().map(|r| r.name.clone()).collect(),
            access_key: None,
            temporary: None,
            token: Some(claims),
        }
    }

    /// Whether the credential carries the role in its scope.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// Whether the caller signed with a temporary key.
    pub fn is_temporary(&self) -> bool {
        self.temporary.is_some()
    }

    /// The project id of a project-scoped credential.
    pub fn project_id(&self) -> Option<&str> {
        self.project.as_ref().map(|p| p.id.as_str())
    }
}
