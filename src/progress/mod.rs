//! Build progress: a typed event model and its renderers.

pub mod event;
pub mod plain;
pub mod rawjson;
pub mod tty;
