//! Key material: the token signing keys, the master keyring and the internal
//! credential, read from (and in development generated into) the files the
//! configuration names. The file formats are shared with the other services.

pub use service_kit::keyfiles::*;
