//! progress: plain (to be written).
