//! Solves: frontend attributes, exporters, cache options, and running a
//! build with its session.
