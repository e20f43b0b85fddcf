//! Streaming uploads: the body goes chunk by chunk into a staged blob, the size limit is
//! checked on every chunk, and nothing is left behind unless the upload is complete and
//! ffprobe finds a decodable video stream in it.

use std::path::Path;

use stylecut_media::{probe, MediaError, RunOpts};
use stylecut_store::{time::now_iso, BlobWriter, VideoRow};
use stylecut_types::ids;

use crate::error::ServiceError;
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
    pub(crate) writer: BlobWriter,
    pub(crate) limit: u64,
}

impl Upload {
    /// Appends a chunk; `FileTooLarge` as soon as the limit is passed (the staged data is
    /// discarded when the upload is dropped).
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), ServiceError> {
        if self.writer.written() + chunk.len() as u64 > self.limit {
            return Err(ServiceError::FileTooLarge {
                limit_bytes: self.limit,
            });
        }
        self.writer.write(chunk).await?;
        Ok(())
    }
}

/// Optional form fields of the upload.
#[derive(Debug, Default, Clone)]
pub struct UploadFields {
    pub template_video_id: Option<String>,
    pub webhook_url: Option<String>,
}

impl Service {
    /// Starts an upload of `filename` (checked for an allowed extension first).
    pub async fn start_upload(&self, filename: &str) -> Result<Upload, ServiceError> {
        let ext = allowed_extension(filename)?;
        let video_id = ids::new_video_id();
        let key = format!("uploads/{video_id}.{ext}");
        let writer = self.blobs.writer(&key).await?;
        Ok(Upload {
            video_id,
            filename: filename.to_string(),
            ext,
            key,
            writer,
            limit: self.settings.max_file_size_bytes,
        })
    }

    /// Commits a fully received upload: probes it, stores it, records the video.
    ///
    /// Runs to its end in a task of its own: the server drops a request's handler when
    /// its client goes away, and a commit stopped between storing the blob and recording
    /// the video (the probe takes a while) left a blob no video row names, never removed.
    /// Any failure after the blob is stored removes it.
    pub async fn finish_upload(
        &self,
        up: Upload,
        fields: UploadFields,
    ) -> Result<VideoUploadResponse, ServiceError> {
        let svc = self.clone();
        tokio::spawn(async move { svc.commit_upload(up, fields).await })
            .await
            .map_err(|e| ServiceError::Internal(format!("storing the upload failed: {e}")))?
    }

    async fn commit_upload(
        &self,
        up: Upload,
        fields: UploadFields,
    ) -> Result<VideoUploadResponse, ServiceError> {
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
            ..
        } = up;
        let size = writer.finish().await?;
        let res = self
            .record_upload(video_id, filename, &ext, &key, size, fields)
            .await;
        match res {
            Ok(row) => VideoUploadResponse::from_row(&row),
            Err(e) => {
                if let Err(d) = self.blobs.delete(&key).await {
                    tracing::error!(key, "removing a refused upload failed: {d}");
                }
                Err(e)
            }
        }
    }

    /// Probes the stored upload `key` and records its video row; an error means no row.
    async fn record_upload(
        &self,
        video_id: String,
        filename: String,
        ext: &str,
        key: &str,
        size: u64,
        fields: UploadFields,
    ) -> Result<VideoRow, ServiceError> {
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
        self.db.insert_video(&row).await?;
        Ok(row)
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
