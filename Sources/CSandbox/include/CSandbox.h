#ifndef CSANDBOX_H
#define CSANDBOX_H
// Landlock, seccomp, prctl, namespace, supervision and spawn helpers that Swift's Glibc module
// does not expose (raw syscalls, variadic prctl, function-like macros, GNU-only spawn actions).
//
// Convention: every function that can fail returns a negative errno value on failure, so Swift
// callers never have to read the thread-local `errno`.

#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

// MARK: - Landlock (own definitions: Debian 12's <linux/landlock.h> only knows ABI 2)

/// The highest Landlock ABI the kernel supports (>= 1), or -errno (ENOSYS: not built in;
/// EOPNOTSUPP: built in but disabled at boot).
long csb_landlock_abi_version(void);

/// Creates a ruleset; the attribute size matches `abi` (8, 16 or 24 bytes) so older kernels accept
/// it. Returns the ruleset fd or -errno.
int csb_landlock_create_ruleset(uint64_t handled_fs, uint64_t handled_net, uint64_t scoped, int abi);

/// Allows `access` beneath `path` (opened with O_PATH, following symlinks). For anything that is
/// not a directory the rights are reduced to the file-only subset, as the kernel requires.
/// Returns 0 or -errno.
int csb_landlock_allow_path(int ruleset_fd, const char *path, uint64_t access);

/// Enforces the ruleset on the calling thread (and everything it executes). Returns 0 or -errno.
int csb_landlock_restrict_self(int ruleset_fd);

/// The rights a rule on a non-directory may carry (EXECUTE, WRITE_FILE, READ_FILE, TRUNCATE,
/// IOCTL_DEV).
uint64_t csb_landlock_file_access_mask(void);

// MARK: - prctl / seccomp / capabilities

/// prctl(PR_SET_NO_NEW_PRIVS, 1). Returns 0 or -errno.
int csb_set_no_new_privs(void);

/// 0 when the kernel can install our seccomp filter (filter mode with SECCOMP_RET_ERRNO on a
/// supported architecture), else -errno.
int csb_seccomp_filter_available(void);

/// Installs the sandbox's seccomp filter (needs no_new_privs or CAP_SYS_ADMIN). Always:
/// foreign architecture -> kill, x32 syscalls -> EPERM, io_uring_setup -> EPERM (io_uring
/// operations would bypass the rules below), ioctl(TIOCSTI / TIOCLINUX) -> EPERM (typing into a
/// terminal). Then, as asked:
/// - `block_network`: socket() and socketpair() only for AF_UNIX and never SOCK_DGRAM,
///   connect() -> EACCES, sendto() with a destination address -> EACCES. With no datagram
///   socket and no connect, a Unix socket can reach nothing outside the sandbox.
/// - `deny_path_truncate`: truncate(2) -> EACCES (Landlock ABI < 3 does not govern it;
///   ftruncate(2) needs a descriptor opened for writing, which Landlock does govern).
/// - `protected_pid_1` / `protected_pid_2` (> 0): kill(2) aimed at them, at their process group
///   or at every process (-1), and tkill/tgkill/rt_(tg)sigqueueinfo/pidfd_open/prlimit64 aimed
///   at them -> EPERM. For kernels without Landlock signal scoping (ABI < 6).
/// Returns 0 or -errno.
int csb_install_seccomp_filter(int block_network, int deny_path_truncate, pid_t protected_pid_1,
                               pid_t protected_pid_2);

/// Empties every capability set: bounding (so not even a root command regains them at execve),
/// ambient, inheritable, permitted and effective. Returns 0 or -errno (`*failed_step` names the
/// step).
int csb_drop_all_capabilities(const char **failed_step);

// MARK: - Mount namespace

/// How `csb_setup_mounts` changed the mount view.
enum {
  /// Nothing was changed: no usable mount namespace. The caller must protect paths another way.
  CSB_MOUNTS_UNAVAILABLE = 0,
  /// A private mount namespace (we hold CAP_SYS_ADMIN).
  CSB_MOUNTS_MOUNT_NAMESPACE = 1,
  /// A new user namespace (our uid/gid mapped to themselves) plus a mount namespace.
  CSB_MOUNTS_USER_NAMESPACE = 2,
};

/// In a new mount namespace: every mount becomes read-only except the `writable_roots` (each put
/// back as a read-write copy of itself), then each of `read_only_paths` (existing paths inside
/// the roots) is bind-mounted onto itself read-only. Read-only mounts stop what Landlock does not
/// govern (chmod, chown, utimes, xattrs, truncate on ABI < 3) outside the roots.
/// Must be called while the process is single-threaded. Tries a plain mount namespace (with
/// CAP_SYS_ADMIN), then a user namespace (checked first in a forked probe so a half-working
/// kernel never leaves us in an unusable namespace). `allow_namespaces == 0` changes nothing.
/// `*read_only_outside` is set to 1 when everything outside the roots was made read-only (needs
/// mount_setattr, Linux 5.12), else 0.
/// Returns one of the CSB_MOUNTS_* values, or -errno after the process state was already changed
/// (then `*failed_step` names the step); the caller must then fail closed.
int csb_setup_mounts(const char *const *writable_roots, size_t root_count,
                     const char *const *read_only_paths, size_t read_only_count,
                     int allow_namespaces, int *read_only_outside, const char **failed_step);

// MARK: - Supervision

/// Splits the sandbox helper in two. The child returns 0 and goes on to restrict itself and exec
/// the command; it runs in its own process group, dies with SIGKILL if the supervisor dies, and
/// has every signal reset to its default and unblocked. The parent never returns: it is the
/// command's supervisor, a child subreaper (orphaned descendants are re-parented to it) that
/// cannot be core-dumped or read through /proc by same-uid processes. When the command exits it
/// SIGKILLs every descendant left, reaps them, and exits as the command did (same exit code, or
/// the same signal). SIGTERM/SIGINT/SIGQUIT sent to it are passed on to every descendant; if its
/// own parent dies it ends everything the same way.
/// Returns -errno (`*failed_step` names the step) when the split could not be made.
int csb_fork_supervised(const char **failed_step);

/// Sends `signal` to every descendant of `root` (found through the parent pids in /proc, and
/// signalled through pidfds so a recycled pid is never hit). Returns how many were signalled, or
/// -errno when /proc cannot be read.
int csb_signal_descendants(pid_t root, int signal);

// MARK: - Directory walk

/// Finds entries named `name` (directories, files or symlinks) beneath `root`, breadth first,
/// without following symlinks and without descending into a match. Stops after examining
/// `max_directories` directories and then sets `*truncated`. Returns a malloc'ed buffer of
/// NUL-terminated absolute paths (`*length` bytes in all; free with `csb_free`), or NULL with
/// `*length` = 0 when nothing was found or memory ran out (then `*truncated` is set too).
char *csb_find_entries_named(const char *root, const char *name, size_t max_directories,
                             size_t *length, int *truncated);

void csb_free(void *pointer);

// MARK: - Spawning and waiting

/// pipe2(O_CLOEXEC). Returns 0 or -errno.
int csb_pipe_cloexec(int fds[2]);

/// An eventfd (EFD_CLOEXEC | EFD_NONBLOCK) used to wake a poll loop. Returns the fd or -errno.
int csb_wake_fd_create(void);
/// Signals a wake fd (safe from any thread). Returns 0 or -errno.
int csb_wake_fd_signal(int fd);

/// pidfd_open(pid, 0): readable once the child has exited. Returns the fd or -errno.
int csb_pidfd_open(pid_t pid);

/// posix_spawn_file_actions_addchdir_np (glibc >= 2.29). Returns 0 or an errno value.
int csb_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
/// posix_spawn_file_actions_addclosefrom_np (glibc >= 2.34). Returns 0 or an errno value.
int csb_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowfd);
/// POSIX_SPAWN_SETSID (a GNU extension Swift's Glibc module does not import): the child starts a
/// new session, so it has no controlling terminal.
short csb_spawn_setsid_flag(void);

/// Replaces the process image with `file` and exactly `envp` (PATH search in `envp`'s PATH when
/// `file` has no slash). Returns -errno on failure.
int csb_execvpe(const char *file, char *const argv[], char *const envp[]);

// Wait-status decoding (the W* macros are invisible to Swift).
int csb_wifexited(int status);
int csb_wexitstatus(int status);
int csb_wifsignaled(int status);
int csb_wtermsig(int status);

// MARK: - Event loop (`codex serve`): epoll, which Swift's Glibc module does not expose

/// Readiness bits for `csb_epoll_*` (the EPOLL* values, which Swift cannot see).
enum {
  CSB_EPOLL_IN = 0x001,
  CSB_EPOLL_OUT = 0x004,
  CSB_EPOLL_ERR = 0x008,
  CSB_EPOLL_HUP = 0x010,
  CSB_EPOLL_RDHUP = 0x2000,
};

/// epoll_create1(EPOLL_CLOEXEC). Returns the fd or -errno.
int csb_epoll_create(void);
/// Registers (`op` 1), changes (3) or removes (2) `fd` with the given CSB_EPOLL_* bits; `token`
/// comes back with its events. Level-triggered. Returns 0 or -errno.
int csb_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);
/// Waits up to `timeout_ms` (-1: no limit) and writes at most `max` ready (token, events) pairs
/// into the two arrays. Returns how many, 0 on timeout or EINTR, or -errno.
int csb_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms);
/// accept4(SOCK_NONBLOCK | SOCK_CLOEXEC), with TCP_NODELAY set on the new socket; the peer's
/// address goes into `peer` as `127.0.0.1:5000` or `[::1]:5000`. Returns the fd or -errno
/// (-EAGAIN: nobody is waiting).
int csb_accept(int listen_fd, char *peer, size_t peer_size);

#endif
