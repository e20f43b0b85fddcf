//! Streaming uploads: the body goes chunk by chunk into a staged blob, the size limit is
//! checked on every chunk, and nothing is left behind unless the upload is complete and
//! ffprobe finds a decodable video stream in it.

use std::path::Path;

use sha2::{Digest, Sha256};
use stylecut_media::{probe, MediaError, RunOpts};
use stylecut_store::{time::now_iso, BlobWriter, KeyRow, Keyed, NewKey, VideoRow};
use stylecut_types::ids;

use crate::error::ServiceError;
use crate::idempotency::{fingerprint, KeyClaim};
use crate::service::Service;
use crate::views::{VideoMetadata, VideoUploadResponse};

pub const ALLOWED_EXTENSIONS: [&str; 5] = ["mp4", "mov", "avi", "mkv", "webm"];

/// Lower-case extension of a client filename when it is an allowed one.
pub fn allowed_extension(filename: &str) -> Result<String, ServiceError> {
    let ext = Path::new(filename)
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    if ALLOWED_EXTENSIONS.contains(&ext.as_str()) {
        Ok(ext)
    } else {
        Err(ServiceError::UnsupportedFormat { ext })
    }
}

/// An upload in progress.
pub struct Upload {
    pub(crate) video_id: String,
    pub(crate) filename: String,
    pub(crate) ext: String,
    pub(crate) key: String,
    /// Where the bytes go; `None` for the replay of a recorded `Idempotency-Key`, whose
    /// bytes are only hashed (to compare with the recorded request) and never stored.
    pub(crate) writer: Option<BlobWriter>,
    pub(crate) written: u64,
    pub(crate) limit: u64,
    pub(crate) keyed: Option<KeyedUpload>,
}

/// The `Idempotency-Key` side of an upload.
pub(crate) struct KeyedUpload {
    claim: KeyClaim,
    /// SHA-256 of the file's bytes so far.
    hasher: Sha256,
    /// The key's row when it was recorded (and live) as the upload started.
    recorded: Option<KeyRow>,
}

impl Upload {
    /// Appends a chunk; `FileTooLarge` as soon as the limit is passed (the staged data is
    /// discarded when the upload is dropped).
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), ServiceError> {
        if self.written + chunk.len() as u64 > self.limit {
            return Err(ServiceError::FileTooLarge {
                limit_bytes: self.limit,
            });
        }
        if let Some(k) = self.keyed.as_mut() {
            k.hasher.update(chunk);
        }
        if let Some(w) = self.writer.as_mut() {
            w.write(chunk).await?;
        }
        self.written += chunk.len() as u64;
        Ok(())
    }
}

/// A stored upload's answer, and whether it is that of an earlier request with the same
/// `Idempotency-Key` (nothing new stored).
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub view: VideoUploadResponse,
    pub replayed: bool,
}

/// Optional form fields of the upload.
#[derive(Debug, Default, Clone)]
pub struct UploadFields {
    pub template_video_id: Option<String>,
    pub webhook_url: Option<String>,
}

impl Service {
    /// Starts an upload of `filename` (checked for an allowed extension first), under the
    /// `Idempotency-Key` held by `claim` if any. When that key is recorded already, the
    /// upload is a replay: its bytes are hashed, not stored.
    pub async fn start_upload(
        &self,
        filename: &str,
        claim: Option<KeyClaim>,
    ) -> Result<Upload, ServiceError> {
        let ext = allowed_extension(filename)?;
        let video_id = ids::new_video_id();
        let key = format!("uploads/{video_id}.{ext}");
        let keyed = match claim {
            Some(claim) => Some(KeyedUpload {
                recorded: self
                    .db
                    .get_key(claim.scope.as_str(), claim.key.as_str())
                    .await?,
                claim,
                hasher: Sha256::new(),
            }),
            None => None,
        };
        let writer = match keyed.as_ref().and_then(|k| k.recorded.as_ref()) {
            Some(_) => None,
            None => Some(self.blobs.writer(&key).await?),
        };
        Ok(Upload {
            video_id,
            filename: filename.to_string(),
            ext,
            key,
            writer,
            written: 0,
            limit: self.settings.max_file_size_bytes,
            keyed,
        })
    }

    /// Commits a fully received upload: probes it, stores it, records the video.
    ///
    /// Runs to its end in a task of its own: the server drops a request's handler when
    /// its client goes away, and a commit stopped between storing the blob and recording
    /// the video (the probe takes a while) left a blob no video row names, never removed.
    /// Any failure after the blob is stored removes it.
    ///
    /// With an `Idempotency-Key` whose request made a video already (recorded when the
    /// upload started, or by a request that raced this one), the answer is that video and
    /// nothing of this upload is kept; a different file or other fields under that key are
    /// `IDEMPOTENCY_KEY_MISMATCH`. The key is held until the commit ends.
    pub async fn finish_upload(
        &self,
        up: Upload,
        fields: UploadFields,
    ) -> Result<Uploaded, ServiceError> {
        let svc = self.clone();
        tokio::spawn(async move { svc.commit_upload(up, fields).await })
            .await
            .map_err(|e| ServiceError::Internal(format!("storing the upload failed: {e}")))?
    }

    async fn commit_upload(
        &self,
        mut up: Upload,
        fields: UploadFields,
    ) -> Result<Uploaded, ServiceError> {
        // The request's fingerprint: the file (SHA-256 and size), its name, the fields.
        let fp = up.keyed.as_mut().map(|k| {
            let sha = hex::encode(std::mem::take(&mut k.hasher).finalize());
            fingerprint(&serde_json::json!([
                "upload",
                sha,
                up.written,
                up.filename,
                fields.template_video_id,
                fields.webhook_url
            ]))
        });
        if let (Some(k), Some(fp)) = (&up.keyed, &fp) {
            if let Some(row) = &k.recorded {
                k.claim.check(row, fp)?;
                return self.replayed_upload(&row.resource_id).await;
            }
        }
        if let Some(t) = &fields.template_video_id {
            self.require_video(t).await?;
        }
        if let Some(u) = &fields.webhook_url {
            let url = crate::ssrf::validate_url_syntax(u)?;
            crate::ssrf::check_target(&url, self.settings.webhook_allow_private).await?;
        }
        let Upload {
            video_id,
            filename,
            ext,
            key,
            writer,
            keyed,
            ..
        } = up;
        let writer =
            writer.ok_or_else(|| ServiceError::Internal("upload without a writer".into()))?;
        let size = writer.finish().await?;
        let new_key = keyed
            .as_ref()
            .zip(fp.as_deref())
            .map(|(k, fp)| k.claim.new_key(fp, self.settings.idempotency_key_ttl));
        let res = self
            .record_upload(
                video_id,
                filename,
                &ext,
                &key,
                size,
                fields,
                new_key.as_ref(),
            )
            .await;
        let raced = match res {
            Ok(Ok(row)) => {
                return Ok(Uploaded {
                    view: VideoUploadResponse::from_row(&row)?,
                    replayed: false,
                })
            }
            Ok(Err(row)) => Ok(row),
            Err(e) => Err(e),
        };
        if let Err(d) = self.blobs.delete(&key).await {
            tracing::error!(key, "removing a refused upload failed: {d}");
        }
        // Another request with the key (another process) recorded its video first.
        let row = raced?;
        if let (Some(k), Some(fp)) = (&keyed, &fp) {
            k.claim.check(&row, fp)?;
        }
        self.replayed_upload(&row.resource_id).await
    }

    /// The answer of the earlier upload that made video `id` under the same key.
    async fn replayed_upload(&self, id: &str) -> Result<Uploaded, ServiceError> {
        let row = self.db.get_video(id).await?.ok_or_else(|| {
            ServiceError::Internal(format!("the video {id} of an idempotency key is gone"))
        })?;
        Ok(Uploaded {
            view: VideoUploadResponse::from_row(&row)?,
            replayed: true,
        })
    }

    /// Probes the stored upload `key` and records its video row (with `idem`, the
    /// idempotency key, in the same transaction); an error means no row, and so does
    /// `Ok(Err(recorded key))`: the key was recorded by another request meanwhile.
    #[allow(clippy::too_many_arguments)]
    async fn record_upload(
        &self,
        video_id: String,
        filename: String,
        ext: &str,
        key: &str,
        size: u64,
        fields: UploadFields,
        idem: Option<&NewKey>,
    ) -> Result<Result<VideoRow, KeyRow>, ServiceError> {
        let path = self.blobs.path(key)?;
        let probed = tokio::task::spawn_blocking(move || {
            probe::probe_video(
                &path,
                &RunOpts::with_timeout(std::time::Duration::from_secs(60)),
            )
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let info = probed.map_err(|e| match e {
            MediaError::BadInput { message, .. } => ServiceError::InvalidMedia(message),
            MediaError::Parse { message, .. } => ServiceError::InvalidMedia(message),
            other => ServiceError::Internal(other.to_string()),
        })?;
        let v = info
            .video
            .as_ref()
            .ok_or_else(|| ServiceError::InvalidMedia("no video stream".into()))?;
        let bitrate = info
            .bitrate_kbps()
            .unwrap_or_else(|| ((size as f64 * 8.0 / info.duration_s) / 1000.0).round() as u64);
        let metadata = VideoMetadata {
            width: v.display_width,
            height: v.display_height,
            duration_seconds: info.duration_s,
            frame_rate: (v.avg_frame_rate * 1000.0).round() / 1000.0,
            codec: v.codec.clone(),
            bitrate_kbps: bitrate,
            format: info.container_for_extension(ext),
        };
        let row = VideoRow {
            id: video_id,
            filename,
            stored_key: key.to_string(),
            size_bytes: size as i64,
            uploaded_at: now_iso(),
            metadata_json: serde_json::to_string(&metadata)
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
            template_video_id: fields.template_video_id,
            webhook_url: fields.webhook_url,
        };
        match idem {
            None => self.db.insert_video(&row).await?,
            Some(k) => {
                if let Keyed::Replay(recorded) = self.db.insert_video_keyed(&row, k).await? {
                    return Ok(Err(recorded));
                }
            }
        }
        Ok(Ok(row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(allowed_extension("a.MP4").unwrap(), "mp4");
        assert_eq!(allowed_extension("../../etc/x.webm").unwrap(), "webm");
        for bad in ["a.txt", "noext", "a.mp4.exe", ".mp4x"] {
            let e = allowed_extension(bad).unwrap_err();
            assert_eq!(
                e.code(),
                stylecut_types::ErrorCode::UnsupportedFormat,
                "{bad}"
            );
        }
    }
}
