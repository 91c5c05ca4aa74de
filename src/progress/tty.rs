//! progress: tty (to be written).
