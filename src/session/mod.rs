//! The build session: services the daemon calls back into while it builds.

pub mod filesend;
pub mod filesync;
