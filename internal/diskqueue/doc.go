// Package diskqueue is the disk queue that hekad puts between the router and
// a filter or output configured with use_buffering (Heka's "buffering"): a
// directory of segment files written by one goroutine and read, in order, by
// another, with a checkpointed cursor so that a restart resumes where
// delivery stopped.
//
// # Layout (as Heka's)
//
// A queue directory (<base_dir>/output_queue/<plugin name with \W as _>)
// holds:
//
//	<N>.log         segment files, N a decimal integer growing by one per file
//	checkpoint.txt  the cursor, "<N> <offset>" in ASCII: the byte after the
//	                last committed record of segment N
//	lock            flock'ed by the Queue that has the directory open
//
// A segment is a sequence of Heka stream frames, one per record:
//
//	0x1E | H | header (H bytes, protobuf) | 0x1F | message
//
// The header holds message_length (field 1, varint) and, beyond what Heka
// writes, a CRC32-C (Castagnoli) of the message bytes as field 15 with wire
// type fixed32 (tag byte 0x7D, then 4 bytes little endian). Heka's header
// decoder skips unknown fields, so Heka's tools read these files; records
// without the CRC (written by Heka) are accepted unchecked. A 200-byte
// message takes 211 bytes: 1E 08 08 C8 01 7D <crc:4> 1F <200 bytes>.
//
// # Guarantees
//
//   - Durability: a record is durable, and only then visible to Next, when a
//     Sync that followed its Append returned nil. A record Sync returned for
//     is never lost by a crash (kill -9, power loss with honest disks).
//   - Order: Next returns records in Append order, each once per run.
//   - Duplicates after a crash: at most the records committed since the last
//     checkpoint write, that is, at most CursorUpdateCount Commits' worth.
//     After Close, none. Messages carry a UUID for downstream deduplication.
//   - Corruption: the reader checks every record (frame, header, CRC),
//     skips corrupt bytes by resynchronising on the next record separator
//     that starts a valid record, logs each run once ("skipped corrupt record
//     at 3.log:1234") and counts it (Stats.Corrupt). No input makes it
//     panic or allocate by a length it read.
//   - Torn writes: at Open the writer always starts a new segment, so the
//     torn end of an earlier run's last segment is never appended to; the
//     reader skips it as corrupt.
//   - Bounded memory: the reader streams (one maximal record plus a 256 KiB
//     read buffer); the writer buffers at most about 1 MiB between Syncs.
//   - Bounded disk: with MaxBufferSize set, Append returns ErrFull instead
//     of growing past it; ENOSPC (and EDQUOT) are reported as ErrFull too.
//     Segments are deleted as soon as the cursor leaves them.
//   - Exclusivity: one Queue per directory (flock on the lock file); a
//     second Open fails naming the directory, in this process or another.
//   - Checkpoint: replaced atomically (temporary file, fsync, rename, fsync
//     of the directory). A bad checkpoint never stops Open: see Open.
//
// # Use
//
// One goroutine writes: Append each message, then Sync (typically once per
// batch); the records become visible when Sync returns. One other goroutine
// reads: Next returns the next record, the caller delivers it and calls
// Commit (once per record, or once per batch of Next calls; a batching
// reader commits before it blocks, see Next). Close, once the writer is
// done, syncs, checkpoints and unlocks.
//
// Costs: Sync is one write and one fsync (about 0.2 ms on the development
// VM's disk), so the records per Sync set the write rate; a checkpoint is a
// small file write, an fsync, a rename and a directory fsync (about 0.5 ms),
// so CursorUpdateCount and the records per Commit set the read rate.
//
// What "full" means is the caller's decision (Heka's full_action): on
// ErrFull it may stop ("shutdown"), count and drop the message ("drop"), or
// wait on Freed and append again ("block"). ErrFull from Sync means the
// records appended since the last successful Sync were discarded: the caller
// still holds them and applies the same policy.
package diskqueue
