//! (Skeleton: filled in by the command work.)
