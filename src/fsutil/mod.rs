//! fsutil: the file-tree protocol BuildKit's file sync speaks (moby
//! `tonistiigi/fsutil`): Go-compatible stats, the walk, include/exclude
//! patterns, and the DiffCopy sender and receiver.

pub(crate) mod patterns;
pub(crate) mod receive;
pub(crate) mod send;
pub(crate) mod stat;
pub(crate) mod walk;
