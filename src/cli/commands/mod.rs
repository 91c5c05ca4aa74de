//! One file per command, each thin over the library: resolve, call,
//! format (see `super::output` for writing).

pub mod build;
pub mod create;
pub mod du;
pub mod inspect;
pub mod inspect_context;
pub mod ls;
pub mod prune;
pub mod rm;
pub mod stop;
pub mod use_builder;
pub mod version;
