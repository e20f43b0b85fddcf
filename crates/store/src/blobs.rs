//! Blob storage seam, shaped like `object_store` (keys are `object_store::path::Path`,
//! writes are staged and become visible atomically on `finish`, `abort` leaves nothing).
//! The embedded backend is a directory on local disk; ffmpeg needs file paths, so the
//! store also hands out the local path of a committed blob.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use object_store::path::Path as Key;
use stylecut_media::scratch::{self, LockedTempDir};
use tokio::io::AsyncWriteExt;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("invalid blob key {0:?}")]
    BadKey(String),
    #[error("blob i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// Blobs under one root directory. Staged writes live in a directory of this process's
/// own under `root/.staging` (see [`BlobStore::open`]).
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
    /// This process's staging directory, locked while the process lives.
    staging: Arc<LockedTempDir>,
}

/// Prefix of the per-process directories under `root/.staging`.
const STAGING_PREFIX: &str = "proc-";

/// A staged write; dropped without `finish` it removes its staging file.
pub struct BlobWriter {
    file: Option<tokio::fs::File>,
    staging: PathBuf,
    target: PathBuf,
    written: u64,
}

impl BlobStore {
    /// Opens `root`, creating it, and removes staging files left by a crash.
    ///
    /// Several processes may share one data directory (`serve` beside `worker`s), so each
    /// stages its writes in a directory of its own, `root/.staging/proc-…`, holding the
    /// owner lock of [`stylecut_media::scratch`]. Opening removes only the staging
    /// directories whose owner is gone (killed mid-upload or mid-render) and loose files
    /// of the layout before these directories; an upload or a render another live process
    /// is staging is left alone.
    pub fn open(root: &Path) -> Result<BlobStore, BlobError> {
        let staging = root.join(".staging");
        std::fs::create_dir_all(&staging)?;
        for e in std::fs::read_dir(&staging)?.flatten() {
            if e.file_type().map(|t| t.is_file()).unwrap_or(false) {
                let _ = std::fs::remove_file(e.path());
            }
        }
        for dir in scratch::sweep_orphans(&staging, STAGING_PREFIX) {
            tracing::info!(dir = %dir.display(), "removed the staged writes of a process that is gone");
        }
        let own = LockedTempDir::new_in(&staging, STAGING_PREFIX)?;
        Ok(BlobStore {
            root: root.to_path_buf(),
            staging: Arc::new(own),
        })
    }

    /// Local path of `key`. Keys are parsed as object-store paths, which rejects `..`,
    /// empty segments and other traversal tricks.
    pub fn path(&self, key: &str) -> Result<PathBuf, BlobError> {
        let k = Key::parse(key).map_err(|_| BlobError::BadKey(key.to_string()))?;
        let mut p = self.root.clone();
        let mut n = 0;
        for part in k.parts() {
            let s = part.as_ref();
            if s.starts_with('.') {
                return Err(BlobError::BadKey(key.to_string()));
            }
            p.push(s);
            n += 1;
        }
        if n == 0 {
            return Err(BlobError::BadKey(key.to_string()));
        }
        Ok(p)
    }

    /// Starts a staged write of `key`.
    pub async fn writer(&self, key: &str) -> Result<BlobWriter, BlobError> {
        let target = self.path(key)?;
        let staging = self
            .staging
            .path()
            .join(format!("{}.part", uuid::Uuid::now_v7().simple()));
        let file = tokio::fs::File::create(&staging).await?;
        Ok(BlobWriter {
            file: Some(file),
            staging,
            target,
            written: 0,
        })
    }

    /// A fresh staging path for a tool that writes a file itself (ffmpeg); commit it
    /// with [`BlobStore::commit_file`].
    pub fn staging_path(&self, ext: &str) -> PathBuf {
        self.staging
            .path()
            .join(format!("{}.{ext}", uuid::Uuid::now_v7().simple()))
    }

    /// Moves a finished staging file to `key`.
    pub async fn commit_file(&self, staged: &Path, key: &str) -> Result<(), BlobError> {
        let target = self.path(key)?;
        if let Some(dir) = target.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::rename(staged, &target).await?;
        Ok(())
    }

    pub async fn delete(&self, key: &str) -> Result<(), BlobError> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// Number of files this process has staged and not committed; zero when nothing
    /// partial is lying around.
    pub fn staged_count(&self) -> usize {
        std::fs::read_dir(self.staging.path())
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name() != scratch::LOCK_FILE)
                    .count()
            })
            .unwrap_or(0)
    }
}

impl BlobWriter {
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), BlobError> {
        if let Some(f) = self.file.as_mut() {
            f.write_all(chunk).await?;
            self.written += chunk.len() as u64;
        }
        Ok(())
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    /// Flushes and moves the staged file into place. Until the move is done the writer
    /// counts as unfinished: an error on the way (a full disk refusing the flush, a
    /// directory that cannot be made) or the call dropped mid-way leaves no staged file
    /// behind (main took the file first, so its `Drop` kept the staged data until the
    /// next start).
    pub async fn finish(mut self) -> Result<u64, BlobError> {
        if let Some(f) = self.file.as_mut() {
            f.flush().await?;
            f.sync_all().await?;
        }
        if let Some(dir) = self.target.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::rename(&self.staging, &self.target).await?;
        self.file = None;
        Ok(self.written)
    }

    /// Discards the staged data.
    pub async fn abort(mut self) {
        self.file.take();
        let _ = tokio::fs::remove_file(&self.staging).await;
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        // Not finished (aborted or the request died mid-stream): remove the partial file.
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn staged_write_commits_or_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let s = BlobStore::open(d.path()).unwrap();
        let mut w = s.writer("uploads/a.mp4").await.unwrap();
        w.write(b"hello").await.unwrap();
        assert_eq!(s.staged_count(), 1);
        assert_eq!(w.finish().await.unwrap(), 5);
        assert_eq!(
            std::fs::read(s.path("uploads/a.mp4").unwrap()).unwrap(),
            b"hello"
        );
        let mut w = s.writer("uploads/b.mp4").await.unwrap();
        w.write(b"partial").await.unwrap();
        drop(w);
        assert_eq!(s.staged_count(), 0);
        assert!(!s.path("uploads/b.mp4").unwrap().exists());
        for bad in ["../x", "a/../../x", "", ".staging/x", "/"] {
            assert!(s.path(bad).is_err(), "{bad}");
        }
        // A finish that fails (its directory cannot be made: a file is in the way)
        // commits nothing and leaves nothing staged.
        std::fs::write(d.path().join("blocked"), b"a file").unwrap();
        let mut w = s.writer("blocked/c.mp4").await.unwrap();
        w.write(b"never committed").await.unwrap();
        assert!(w.finish().await.is_err());
        assert_eq!(s.staged_count(), 0, "a failed finish left its staged file");
    }

    /// A `worker` opening the store beside a running `serve` must not delete the upload
    /// `serve` is staging (the old store emptied all of `.staging` when opened). Staged
    /// writes of a process that is gone, and loose files of the old layout, are removed.
    #[tokio::test]
    async fn opening_the_store_keeps_another_live_process_staged_writes() {
        let d = tempfile::tempdir().unwrap();
        let serve = BlobStore::open(d.path()).unwrap();
        let mut upload = serve.writer("uploads/big.mp4").await.unwrap();
        upload.write(b"first half ").await.unwrap();

        // A process killed mid-upload: its directory's lock is free. And an old-layout file.
        let staging = d.path().join(".staging");
        let dead = staging.join(format!("{STAGING_PREFIX}dead"));
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join("x.part"), b"lost").unwrap();
        drop(scratch::hold(&dead).unwrap());
        std::fs::write(staging.join("old.part"), b"old").unwrap();

        let worker = BlobStore::open(d.path()).unwrap();
        assert!(!dead.exists() && !staging.join("old.part").exists());
        assert_eq!(serve.staged_count(), 1);
        assert_eq!(worker.staged_count(), 0);
        upload.write(b"second half").await.unwrap();
        assert_eq!(upload.finish().await.unwrap(), 22);
        assert_eq!(
            std::fs::read(worker.path("uploads/big.mp4").unwrap()).unwrap(),
            b"first half second half"
        );
        let rendered = worker.staging_path("mp4");
        std::fs::write(&rendered, b"render").unwrap();
        drop(BlobStore::open(d.path()).unwrap());
        worker
            .commit_file(&rendered, "outputs/o.mp4")
            .await
            .unwrap();
        assert_eq!(serve.staged_count(), 0);
    }
}
