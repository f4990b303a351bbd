#ifndef PRECIS_CPROCESS_SHIM_H
#define PRECIS_CPROCESS_SHIM_H
// The C library's process calls that Swift's Glibc module leaves out (GNU extensions: it is built without
// _GNU_SOURCE, and defining it here cannot change an already built module), for the Ingest module only
// (UnsafeChildProcess).
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#ifdef __linux__
extern int pipe2(int fds[2], int flags);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
#endif

/// A pipe whose two ends are closed on exec from the start (pipe2 with O_CLOEXEC), so a child that another
/// thread spawns at the same moment inherits neither.
static inline int precis_pipe_cloexec(int fds[2]) {
#ifdef __linux__
    return pipe2(fds, O_CLOEXEC);
#else
    if (pipe(fds) != 0) return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
#endif
}

/// Closes every descriptor from `from` up in the spawned child (glibc 2.34's
/// posix_spawn_file_actions_addclosefrom_np); elsewhere a no-op returning 0.
static inline int precis_spawn_closefrom(posix_spawn_file_actions_t *actions, int from) {
#ifdef __linux__
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
#else
    (void)actions; (void)from;
    return 0;
#endif
}
#endif
