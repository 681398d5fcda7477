#pragma once
// Opening a path beneath a directory without ever leaving it, through ".." or a symlink.

namespace herald::handlers {

// Opens `relative` beneath the directory `dir` with `flags` (O_RDONLY and the like). Any
// resolution that would leave `dir` fails with EXDEV, as openat2's RESOLVE_BENEATH does, and
// no check races with a rename. Uses openat2 where the kernel has it; where it is missing
// (ENOSYS: kernels before 5.6, valgrind) or filtered (EPERM even for the root: container
// sandboxes whose seccomp profile predates it) the walk below does the same. Returns the
// descriptor, or -1 with errno set.
int open_beneath(int dir, const char* relative, int flags);

// RESOLVE_BENEATH by hand: each component is opened with O_NOFOLLOW relative to a directory
// descriptor held open; ".." pops the walk's own stack of directories (never the file
// system's "..", which a concurrent rename could point outside `dir`); a symlink's target is
// spliced into the rest of the path, and an absolute target leaves `dir` (EXDEV). After 40
// symlinks, ELOOP, as the kernel. Exposed so that tests compare it with openat2.
int open_beneath_by_walk(int dir, const char* relative, int flags);

}  // namespace herald::handlers
