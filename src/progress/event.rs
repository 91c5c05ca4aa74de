//! progress: event (to be written).
