//! Service accounts: robot credentials of one registry, for CI. The caller names one
//! (`Name`), it logs in to the registry as `tcr$<Name>` with a password, and it reaches
//! only the namespaces its permissions list, with the actions they map to.
//!
//! The rules live here, one file each: the name ([`name`]), the permissions and what they
//! grant ([`permissions`]), the password and how it is stored ([`password`]), the expiry
//! ([`expiry`]), the registry login ([`login`]), and creating, listing, changing and
//! deleting them ([`manage`]). Who may manage them is the policy's answer
//! (`crate::policy`), and what a login then opens is service-kit's
//! ([`service_kit::registry::access`]).

pub mod expiry;
pub mod login;
pub mod manage;
pub mod name;
pub mod password;
pub mod permissions;
