-- Analyses of stored videos, kept so that later jobs on the same video (a template applied
-- to many sources, a source restyled with other templates, a retried job) do not decode
-- and measure it again. `engine` names the build that measured it: a different build
-- measures again, and storing a video's analysis drops the ones of other builds.
CREATE TABLE video_analyses (
    video_id      TEXT NOT NULL REFERENCES videos(id),
    engine        TEXT NOT NULL,
    analysis_json TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (video_id, engine)
);
