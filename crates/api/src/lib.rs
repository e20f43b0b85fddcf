//! axum routes: parse, call one service, map to the envelope.
