//! Integration tests of `stylecut serve`: the real binary, a free port, a fresh data
//! directory, real ffmpeg and real media from `../shared/media`.

mod cli_diff;
mod cli_interrupt;
mod cli_output;
mod cli_paths;
mod common;
mod errors;
mod idempotency;
mod jobs_control;
mod meta;
mod quickstart;
mod reuse;
mod scripts;
mod stall;
mod storage;
mod uploads;
mod webhooks;
