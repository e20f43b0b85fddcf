//! Scratch directories that tell whether their owner is still alive.
//!
//! A process that is killed (SIGKILL, the OOM killer, a power cut of the container) runs no
//! clean-up: its scratch directories (a render's `stylecut-render-*`, a job's
//! `DATA_DIR/scratch/<job>-…`) stay. The next `serve` or `worker` removes them at start-up
//! ([`sweep_orphans`]), but several processes may share a data directory (`serve --api-only`
//! beside `worker`s) and the system temp directory, so it must remove only those of
//! processes that are gone. A process id in the name is not enough (ids are reused, and a
//! container restart gives the same small ids again); instead each directory holds a lock
//! file, [`LOCK_FILE`], on which its owner holds an exclusive `flock` for as long as it uses
//! the directory. The kernel drops the lock when the owner's last descriptor of it closes,
//! which happens when the process ends however it ends: a directory whose lock can be
//! taken has no living owner. (The descriptor is close-on-exec, so ffmpeg children do not
//! hold it.)

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The lock file inside a scratch directory.
pub const LOCK_FILE: &str = ".owner.lock";

/// An exclusive lock on a scratch directory's [`LOCK_FILE`], held until dropped.
#[derive(Debug)]
pub struct OwnerLock {
    _file: File,
}

/// `flock(fd, op)`; `Ok(false)` when a non-blocking lock is held by someone else.
fn flock(file: &File, op: libc::c_int) -> io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor we hold open; it touches no memory of ours.
    if unsafe { libc::flock(file.as_raw_fd(), op) } == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

/// Takes the lock of `dir` (an existing directory) for this process. The lock file is
/// made and locked under a private name, then renamed to [`LOCK_FILE`]: a sweeper only
/// ever opens a lock file that is already locked (or a stale one, which the rename
/// replaces).
pub fn hold(dir: &Path) -> io::Result<OwnerLock> {
    let tmp = tempfile::Builder::new()
        .prefix(".owner-")
        .tempfile_in(dir)?;
    if !flock(tmp.as_file(), libc::LOCK_EX | libc::LOCK_NB)? {
        return Err(io::Error::other(
            "a fresh lock file is locked by another process",
        ));
    }
    let file = tmp.persist(dir.join(LOCK_FILE)).map_err(|e| e.error)?;
    Ok(OwnerLock { _file: file })
}

/// A new directory `parent/PREFIX…` with its lock held; removed (then unlocked) when dropped.
#[derive(Debug)]
pub struct LockedTempDir {
    dir: PathBuf,
    // Dropped after the directory is removed (`Drop` runs before the fields drop).
    _lock: OwnerLock,
}

impl LockedTempDir {
    pub fn new_in(parent: &Path, prefix: &str) -> io::Result<LockedTempDir> {
        let dir = tempfile::Builder::new().prefix(prefix).tempdir_in(parent)?;
        // A failure here drops `dir`, which removes it.
        let lock = hold(dir.path())?;
        Ok(LockedTempDir {
            dir: dir.keep(),
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Renames the directory to `to` (a path that does not exist, on the same file
    /// system), its lock held throughout: the lock is on the lock file's inode, which a
    /// rename does not touch. A rename takes no new inode or data block, so it works
    /// where making a directory no longer does (a full disk, no inodes left).
    pub fn rename(&mut self, to: &Path) -> io::Result<()> {
        std::fs::rename(&self.dir, to)?;
        self.dir = to.to_path_buf();
        Ok(())
    }
}

impl Drop for LockedTempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl LockedTempDir {
    /// Removes everything in the directory but its lock: the run it belongs to goes on
    /// (and is seen to, [`held`]) without keeping its scratch files.
    pub fn clear(&self) -> io::Result<()> {
        for e in std::fs::read_dir(self.path())? {
            let e = e?;
            if e.file_name() == LOCK_FILE {
                continue;
            }
            if e.file_type()?.is_dir() {
                std::fs::remove_dir_all(e.path())?;
            } else {
                std::fs::remove_file(e.path())?;
            }
        }
        Ok(())
    }
}

/// Whether a living process holds the lock of `dir` ([`hold`], [`LockedTempDir`]): its
/// [`LOCK_FILE`] exists and cannot be locked. (Taking a free lock to find out lets it go at
/// once; a start-up sweep that asks at that instant leaves that dead directory to the next
/// start.) A directory without a lock file is not held.
pub fn held(dir: &Path) -> bool {
    let Ok(file) = File::open(dir.join(LOCK_FILE)) else {
        return false;
    };
    matches!(flock(&file, libc::LOCK_EX | libc::LOCK_NB), Ok(false))
}

/// Whether any directory in `parent` whose name starts with `prefix` is [`held`].
pub fn any_held(parent: &Path, prefix: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return false;
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .any(|e| held(&e.path()))
}

/// A directory judged orphaned by [`orphans`]: its stale lock is held (so no new owner can
/// take the lock meanwhile) until it is removed or dropped.
#[derive(Debug)]
pub struct Orphan {
    dir: PathBuf,
    _lock: File,
}

impl Orphan {
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Removes the directory and everything in it.
    ///
    /// Holding the stale lock does not stop a process that *reuses* the directory by
    /// name: it renames a lock file of its own over the stale one and writes beside it,
    /// and this removal deletes its files. Owners must therefore always make a directory
    /// of a new name ([`LockedTempDir`]), never take over an existing one.
    pub fn remove(self) -> io::Result<PathBuf> {
        std::fs::remove_dir_all(&self.dir)?;
        Ok(self.dir)
    }
}

/// `dir` as an [`Orphan`] when it has a lock file that nobody holds (its lock is then
/// taken).
fn orphan(dir: &Path) -> Option<Orphan> {
    use std::os::unix::fs::MetadataExt;
    let lock_path = dir.join(LOCK_FILE);
    let file = File::open(&lock_path).ok()?;
    if !flock(&file, libc::LOCK_EX | libc::LOCK_NB).ok()? {
        return None;
    }
    // The file locked must still be the directory's lock file: a new owner may have
    // renamed its own (locked) one over it between our open and our lock.
    let (held, now) = (file.metadata().ok()?, std::fs::metadata(&lock_path).ok()?);
    if (held.dev(), held.ino()) != (now.dev(), now.ino()) {
        return None;
    }
    Some(Orphan {
        dir: dir.to_path_buf(),
        _lock: file,
    })
}

/// The directories in `parent` whose names start with `prefix` and whose owner process no
/// longer exists (their [`LOCK_FILE`] can be locked), each with its lock taken. A
/// directory without a lock file is not one: it may have been made a moment ago by a
/// process that has not locked it yet, or by a stylecut from before these locks.
pub fn orphans(parent: &Path, prefix: &str) -> Vec<Orphan> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix) && e.path().is_dir())
        .filter_map(|e| orphan(&e.path()))
        .collect()
}

/// Removes the [`orphans`] of `parent` with names starting with `prefix`: the
/// directories removed.
pub fn sweep_orphans(parent: &Path, prefix: &str) -> Vec<PathBuf> {
    orphans(parent, prefix)
        .into_iter()
        .filter_map(|o| o.remove().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A held directory survives a sweep; once its owner lets go (here: drops the lock,
    /// as the kernel does when a process dies), the next sweep removes it. Directories
    /// without a lock file or of another prefix are left.
    #[test]
    fn a_sweep_removes_only_directories_whose_owner_is_gone() {
        let root = tempfile::tempdir().unwrap();
        let live = LockedTempDir::new_in(root.path(), "sc-test-").unwrap();
        std::fs::write(live.path().join("chunk0.ts"), b"x").unwrap();
        let dead = root.path().join("sc-test-dead");
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join("graph.txt"), b"x").unwrap();
        drop(hold(&dead).unwrap());
        let unlocked = root.path().join("sc-test-nolock");
        std::fs::create_dir(&unlocked).unwrap();
        let other = root.path().join("other-dead");
        std::fs::create_dir(&other).unwrap();
        drop(hold(&other).unwrap());

        assert_eq!(sweep_orphans(root.path(), "sc-test-"), vec![dead.clone()]);
        assert!(live.path().join("chunk0.ts").exists());
        assert!(!dead.exists() && unlocked.exists() && other.exists());

        // A directory taken over again (a re-run job in its old scratch) is live again.
        let lock = hold(&other).unwrap();
        assert!(sweep_orphans(root.path(), "other-").is_empty());
        drop(lock);
        assert_eq!(sweep_orphans(root.path(), "other-"), vec![other]);

        let path = live.path().to_path_buf();
        drop(live);
        assert!(!path.exists());
    }

    /// The lock is held by the process, not a thread: another open of the file cannot take it.
    #[test]
    fn a_held_lock_cannot_be_taken_twice() {
        let root = tempfile::tempdir().unwrap();
        let _held = hold(root.path()).unwrap();
        let f = File::open(root.path().join(LOCK_FILE)).unwrap();
        assert!(!flock(&f, libc::LOCK_EX | libc::LOCK_NB).unwrap());
    }

    /// A live directory is held (also after its files are cleared), a released or
    /// unlocked one is not; asking leaves a live lock held and a free one free.
    #[test]
    fn held_tells_live_directories_from_released_ones() {
        let root = tempfile::tempdir().unwrap();
        let live = LockedTempDir::new_in(root.path(), "job_a-").unwrap();
        std::fs::write(live.path().join("sc-mono.f32"), b"x").unwrap();
        std::fs::create_dir(live.path().join("sub")).unwrap();
        std::fs::write(live.path().join("sub/chunk"), b"x").unwrap();
        let dead = root.path().join("job_b-1");
        std::fs::create_dir(&dead).unwrap();
        drop(hold(&dead).unwrap());
        let unlocked = root.path().join("job_c-1");
        std::fs::create_dir(&unlocked).unwrap();

        assert!(held(live.path()) && held(live.path()));
        assert!(!held(&dead) && !held(&unlocked));
        assert!(any_held(root.path(), "job_a-"));
        assert!(!any_held(root.path(), "job_b-") && !any_held(root.path(), "job_c-"));
        assert!(!any_held(&root.path().join("missing"), "job_a-"));
        // The dead directory's lock was let go after the question: a sweep still takes it.
        assert_eq!(orphans(root.path(), "job_b-").len(), 1);

        live.clear().unwrap();
        let left: Vec<_> = std::fs::read_dir(live.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from(LOCK_FILE)]);
        assert!(held(live.path()));
        let path = live.path().to_path_buf();
        drop(live);
        assert!(!any_held(root.path(), "job_a-") && !path.exists());
    }

    /// A renamed directory keeps its lock (a sweep leaves it, `held` says so under its
    /// new name) and is removed under its new name when dropped.
    #[test]
    fn a_renamed_directory_keeps_its_lock() {
        let root = tempfile::tempdir().unwrap();
        let mut d = LockedTempDir::new_in(root.path(), ".spare-").unwrap();
        let old = d.path().to_path_buf();
        let to = root.path().join("job_a-1");
        d.rename(&to).unwrap();
        assert_eq!(d.path(), to.as_path());
        assert!(!old.exists());
        assert!(held(&to) && any_held(root.path(), "job_a-"));
        assert!(sweep_orphans(root.path(), "").is_empty());
        drop(d);
        assert!(!to.exists() && !any_held(root.path(), "job_a-"));
    }
}
