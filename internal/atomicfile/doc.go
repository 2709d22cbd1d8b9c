// Package atomicfile writes files whole or not at all, and never replaces
// what is not a regular file of ours.
//
// Write fills a temporary file in the target's directory, fsyncs it and
// renames it over the target, so a reader (or a crash) sees the old file or
// the new one, never half of either. Two rules keep it from destroying
// things a rename would silently replace:
//
//   - a symbolic link is followed (through every hop, dangling or not) and
//     its final target is what gets replaced; the link itself stays a link;
//   - a path that exists and is not a regular file (a device such as
//     /dev/full, a FIFO, a socket, a directory) is refused with an
//     *ErrNotRegular before anything is written.
//
// Temporary files are named ".BASE.symgrad-PID-RANDOM.tmp". A save killed
// midway leaves one behind; the next Write to the same target removes those
// whose process is gone (or, where liveness cannot be asked, that are more
// than a day old), so killed saves do not pile up.
package atomicfile
