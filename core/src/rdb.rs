//! RDB snapshots. (Skeleton: filled in by the RDB work.)
