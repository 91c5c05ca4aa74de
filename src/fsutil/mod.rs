//! fsutil: the file-tree protocol BuildKit's file sync speaks (moby
//! `tonistiigi/fsutil`): Go-compatible stats, the walk, include/exclude
//! patterns, and the DiffCopy sender and receiver.

pub mod patterns;
pub mod receive;
pub mod send;
pub mod stat;
pub mod walk;
