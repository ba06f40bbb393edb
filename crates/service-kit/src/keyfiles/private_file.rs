//! Writing a file only its owner may read (mode 0600): generated keys, a rotated keyring,
//! the bootstrap admin's credentials. The mode is set when the file is created, so the
//! secret is never readable by others, not even for a moment.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How [`write_private`] treats a file already at the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrivateWrite {
    /// Create the file; one already there is an error of kind `AlreadyExists`, and is left
    /// untouched (another process may have just made it).
    CreateNew,
    /// Replace whatever is there in one step: the bytes go to a sibling file first, reach
    /// the disk, and are renamed over the path, so a reader sees the old file or the new
    /// one, never a part of either.
    ReplaceAtomically,
}

/// Why a private file could not be written: the path that failed (the file, its folder or
/// the sibling written first) and the cause.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct PrivateFileError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

impl PrivateFileError {
    /// Whether the file was already there ([`PrivateWrite::CreateNew`]).
    pub fn already_exists(&self) -> bool {
        self.source.kind() == io::ErrorKind::AlreadyExists
    }
}

/// Write `bytes` to `path` with mode 0600 (on Unix), creating its folder if needed.
///
/// ```
/// use service_kit::keyfiles::{write_private, PrivateWrite};
///
/// let dir = std::env::temp_dir().join(format!("doc-{}", std::process::id()));
/// let path = dir.join("secret");
/// write_private(&path, b"one", PrivateWrite::CreateNew)?;
/// assert!(write_private(&path, b"two", PrivateWrite::CreateNew).unwrap_err().already_exists());
/// write_private(&path, b"three", PrivateWrite::ReplaceAtomically)?;
/// assert_eq!(std::fs::read(&path)?, b"three");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_private(path: &Path, bytes: &[u8], how: PrivateWrite) -> Result<(), PrivateFileError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(at(dir))?;
    }
    match how {
        PrivateWrite::CreateNew => {
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            write_synced(path, &mut options, bytes)
        }
        PrivateWrite::ReplaceAtomically => {
            let sibling = sibling_of(path);
            let mut options = OpenOptions::new();
            // A sibling left by an interrupted write is overwritten, its mode tightened.
            options.write(true).create(true).truncate(true);
            write_synced(&sibling, &mut options, bytes)?;
            fs::rename(&sibling, path).map_err(at(path))
        }
    }
}

/// `<name>.writing` beside `path`: the same folder, so the rename never crosses devices.
fn sibling_of(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".writing");
    path.with_file_name(name)
}

fn write_synced(
    path: &Path,
    options: &mut OpenOptions,
    bytes: &[u8],
) -> Result<(), PrivateFileError> {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    let mut file = options.open(path).map_err(at(path))?;
    // `mode` applies only to a file this call created.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(at(path))?;
    }
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(at(path))
}

fn at(path: &Path) -> impl FnOnce(io::Error) -> PrivateFileError + '_ {
    move |source| PrivateFileError {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch() -> PathBuf {
        std::env::temp_dir().join(format!("private-{}", uuid::Uuid::new_v4()))
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn create_new_makes_an_owner_only_file_and_never_overwrites() {
        let dir = scratch();
        let path = dir.join("nested").join("key");
        write_private(&path, b"first", PrivateWrite::CreateNew).unwrap();
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
        let again = write_private(&path, b"second", PrivateWrite::CreateNew).unwrap_err();
        assert!(again.already_exists());
        assert_eq!(again.path, path);
        assert_eq!(fs::read(&path).unwrap(), b"first");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn replace_swaps_the_whole_file_and_tightens_its_mode() {
        let dir = scratch();
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("env");
        fs::write(&path, "old, world-readable").unwrap();
        // A sibling an interrupted write left behind.
        fs::write(sibling_of(&path), "stale").unwrap();
        write_private(&path, b"new", PrivateWrite::ReplaceAtomically).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
        assert!(!sibling_of(&path).exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
