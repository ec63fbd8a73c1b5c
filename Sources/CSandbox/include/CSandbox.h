#ifndef CSANDBOX_H
#define CSANDBOX_H
// Landlock, seccomp, prctl, namespace and spawn helpers that Swift's Glibc module does not expose
// (raw syscalls, variadic prctl, function-like macros, GNU-only spawn actions).
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

// MARK: - prctl / seccomp

/// prctl(PR_SET_NO_NEW_PRIVS, 1). Returns 0 or -errno.
int csb_set_no_new_privs(void);

/// 0 when the kernel can install our seccomp filter (filter mode with SECCOMP_RET_ERRNO on a
/// supported architecture), else -errno.
int csb_seccomp_network_filter_available(void);

/// Installs the network filter: foreign architecture -> kill, x32 syscalls -> EPERM,
/// io_uring_setup -> EPERM (IORING_OP_SOCKET would bypass the socket rule),
/// socket(AF_INET / AF_INET6) -> EACCES, everything else allowed. Needs no_new_privs (or
/// CAP_SYS_ADMIN). Returns 0 or -errno.
int csb_install_network_filter(void);

// MARK: - Read-only bind mounts

/// How `csb_protect_read_only` protected the paths.
enum {
  /// Nothing was changed: no usable mount namespace. The caller must protect the paths another way.
  CSB_PROTECT_UNAVAILABLE = 0,
  /// A private mount namespace (we hold CAP_SYS_ADMIN) with read-only bind mounts.
  CSB_PROTECT_MOUNT_NAMESPACE = 1,
  /// A new user namespace (our uid/gid mapped to themselves) plus mount namespace with read-only
  /// bind mounts.
  CSB_PROTECT_USER_NAMESPACE = 2,
};

/// Makes each of `paths` read-only for this process and its descendants by bind-mounting it onto
/// itself read-only inside a new mount namespace. Must be called while the process is
/// single-threaded. Tries, in order: a plain mount namespace (works with CAP_SYS_ADMIN), then a
/// user namespace (checked first in a forked probe so a half-working kernel never leaves us in an
/// unusable namespace). `allow_namespaces == 0` changes nothing and returns
/// CSB_PROTECT_UNAVAILABLE (to exercise the caller's fallback).
/// Returns one of the CSB_PROTECT_* values, or -errno after the process state was already changed
/// (then `*failed_step` names the step); the caller must then fail closed.
int csb_protect_read_only(const char *const *paths, size_t count, int allow_namespaces,
                          const char **failed_step);

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

/// Replaces the process image (PATH search when `file` has no slash). Returns -errno on failure.
int csb_execvp(const char *file, char *const argv[]);

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
