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

/// Inserts video `v` on `conn` (a pooled connection or a transaction).
pub(crate) async fn insert_video_in(
    conn: &mut sqlx::SqliteConnection,
    v: &VideoRow,
) -> Result<(), StoreError> {
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
    .execute(conn)
    .await?;
    Ok(())
}

impl Db {
    pub async fn insert_video(&self, v: &VideoRow) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        insert_video_in(&mut conn, v).await
    }

    pub async fn get_video(&self, id: &str) -> Result<Option<VideoRow>, StoreError> {
        Ok(
            sqlx::query_as::<_, VideoRow>("SELECT * FROM videos WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The stored analysis (JSON) of video `id` measured by build `engine`, if any.
    pub async fn get_analysis(&self, id: &str, engine: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT analysis_json FROM video_analyses WHERE video_id = ? AND engine = ?",
        )
        .bind(id)
        .bind(engine)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Stores the analysis (JSON) of video `id` measured by build `engine`, replacing the
    /// one that build stored before and dropping those of other builds (which no job of
    /// this build would read), in one transaction.
    pub async fn put_analysis(&self, id: &str, engine: &str, json: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM video_analyses WHERE video_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO video_analyses (video_id, engine, analysis_json, created_at)
             VALUES (?, ?, ?, ?)",
        )
        .bind(id)
        .bind(engine)
        .bind(json)
        .bind(crate::time::now_iso())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
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

    #[tokio::test]
    async fn an_analysis_is_kept_per_video_for_one_build() {
        let (db, _d) = crate::db::test_db().await;
        let v = |id: &str| VideoRow {
            id: id.into(),
            filename: "a.mp4".into(),
            stored_key: format!("uploads/{id}.mp4"),
            size_bytes: 10,
            uploaded_at: crate::time::now_iso(),
            metadata_json: "{}".into(),
            template_video_id: None,
            webhook_url: None,
        };
        db.insert_video(&v("vid_1")).await.unwrap();
        db.insert_video(&v("vid_2")).await.unwrap();
        assert_eq!(db.get_analysis("vid_1", "e1").await.unwrap(), None);
        db.put_analysis("vid_1", "e1", r#"{"a":1}"#).await.unwrap();
        db.put_analysis("vid_2", "e1", r#"{"b":1}"#).await.unwrap();
        assert_eq!(
            db.get_analysis("vid_1", "e1").await.unwrap().as_deref(),
            Some(r#"{"a":1}"#)
        );
        // Another build does not read it; storing its own drops the first build's.
        assert_eq!(db.get_analysis("vid_1", "e2").await.unwrap(), None);
        db.put_analysis("vid_1", "e2", r#"{"a":2}"#).await.unwrap();
        assert_eq!(db.get_analysis("vid_1", "e1").await.unwrap(), None);
        assert_eq!(
            db.get_analysis("vid_1", "e2").await.unwrap().as_deref(),
            Some(r#"{"a":2}"#)
        );
        // Storing again replaces; the other video's is untouched.
        db.put_analysis("vid_1", "e2", r#"{"a":3}"#).await.unwrap();
        assert_eq!(
            db.get_analysis("vid_1", "e2").await.unwrap().as_deref(),
            Some(r#"{"a":3}"#)
        );
        assert_eq!(
            db.get_analysis("vid_2", "e1").await.unwrap().as_deref(),
            Some(r#"{"b":1}"#)
        );
        // Only stored videos have analyses.
        assert!(db.put_analysis("vid_9", "e1", "{}").await.is_err());
    }
}
