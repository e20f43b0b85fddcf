//! Stored uploads.

use sqlx::FromRow;

use crate::db::{Db, StoreError};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct VideoRow {
    pub id: String,
    /// The client's filename, kept only for display; never used as a path.
    pub filename: String,
    pub stored_key: String,
    pub size_bytes: i64,
    pub uploaded_at: String,
    /// Measured metadata, JSON (the `metadata` object of the upload response).
    pub metadata_json: String,
    pub template_video_id: Option<String>,
    pub webhook_url: Option<String>,
}

impl Db {
    pub async fn insert_video(&self, v: &VideoRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO videos (id, filename, stored_key, size_bytes, uploaded_at, metadata_json,
                                 template_video_id, webhook_url)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&v.id)
        .bind(&v.filename)
        .bind(&v.stored_key)
        .bind(v.size_bytes)
        .bind(&v.uploaded_at)
        .bind(&v.metadata_json)
        .bind(&v.template_video_id)
        .bind(&v.webhook_url)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn get_video(&self, id: &str) -> Result<Option<VideoRow>, StoreError> {
        Ok(
            sqlx::query_as::<_, VideoRow>("SELECT * FROM videos WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn video_roundtrip() {
        let (db, _d) = crate::db::test_db().await;
        let v = VideoRow {
            id: "vid_1".into(),
            filename: "../../x.mp4".into(),
            stored_key: "uploads/vid_1.mp4".into(),
            size_bytes: 10,
            uploaded_at: crate::time::now_iso(),
            metadata_json: "{}".into(),
            template_video_id: None,
            webhook_url: Some("http://h/".into()),
        };
        db.insert_video(&v).await.unwrap();
        assert_eq!(db.get_video("vid_1").await.unwrap(), Some(v));
        assert_eq!(db.get_video("vid_2").await.unwrap(), None);
    }
}
