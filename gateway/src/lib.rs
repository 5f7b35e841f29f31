//! `sigwire-gateway`: a reverse proxy that verifies `sigwire-v1` signatures before forwarding.
//!
//! Replay protection and rate limits live in Redis so that any number of instances share them
//! (or in memory for a single instance); keys come from a file, an environment variable or Redis
//! and rotate without a restart. See `docs/gateway.md` for the configuration file and operations,
//! and `docs/redis-layout.md` for the Redis keys every implementation shares.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod access_log;
pub mod admission;
pub mod config;
pub mod key_sources;
pub mod keys;
pub mod keys_admin;
pub mod metrics;
pub mod profile_routes;
pub mod proxy;
pub mod ratelimit;
pub mod redis_conn;
pub mod replay;
pub mod resp;
pub mod server;
pub mod verify;

pub use config::{Config, ConfigError};
pub use proxy::{Gateway, KEY_ID_HEADER};
pub use server::{start, Running};
