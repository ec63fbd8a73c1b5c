#define _GNU_SOURCE
#include "CSandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// MARK: - Landlock

// Syscall numbers are the same on every architecture (asm-generic numbering).
#define CSB_SYS_LANDLOCK_CREATE_RULESET 444
#define CSB_SYS_LANDLOCK_ADD_RULE 445
#define CSB_SYS_LANDLOCK_RESTRICT_SELF 446
#define CSB_LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define CSB_LANDLOCK_RULE_PATH_BENEATH 1

#define CSB_ACCESS_FS_EXECUTE (1ULL << 0)
#define CSB_ACCESS_FS_WRITE_FILE (1ULL << 1)
#define CSB_ACCESS_FS_READ_FILE (1ULL << 2)
#define CSB_ACCESS_FS_TRUNCATE (1ULL << 14)
#define CSB_ACCESS_FS_IOCTL_DEV (1ULL << 15)

struct csb_landlock_ruleset_attr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;  // ABI >= 4
  uint64_t scoped;              // ABI >= 6
};

struct csb_landlock_path_beneath_attr {
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__((packed));

long csb_landlock_abi_version(void) {
  long abi = syscall(CSB_SYS_LANDLOCK_CREATE_RULESET, NULL, 0, CSB_LANDLOCK_CREATE_RULESET_VERSION);
  return abi < 0 ? -errno : abi;
}

int csb_landlock_create_ruleset(uint64_t handled_fs, uint64_t handled_net, uint64_t scoped, int abi) {
  struct csb_landlock_ruleset_attr attr = {handled_fs, handled_net, scoped};
  size_t size = abi >= 6 ? 24 : (abi >= 4 ? 16 : 8);
  long fd = syscall(CSB_SYS_LANDLOCK_CREATE_RULESET, &attr, size, 0U);
  return fd < 0 ? -errno : (int)fd;
}

uint64_t csb_landlock_file_access_mask(void) {
  return CSB_ACCESS_FS_EXECUTE | CSB_ACCESS_FS_WRITE_FILE | CSB_ACCESS_FS_READ_FILE |
         CSB_ACCESS_FS_TRUNCATE | CSB_ACCESS_FS_IOCTL_DEV;
}

int csb_landlock_allow_path(int ruleset_fd, const char *path, uint64_t access) {
  int fd = open(path, O_PATH | O_CLOEXEC);
  if (fd < 0) return -errno;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = -errno;
    close(fd);
    return err;
  }
  if (!S_ISDIR(st.st_mode)) access &= csb_landlock_file_access_mask();
  struct csb_landlock_path_beneath_attr rule = {access, fd};
  long rc = syscall(CSB_SYS_LANDLOCK_ADD_RULE, ruleset_fd, CSB_LANDLOCK_RULE_PATH_BENEATH, &rule, 0U);
  int err = rc < 0 ? -errno : 0;
  close(fd);
  return err;
}

int csb_landlock_restrict_self(int ruleset_fd) {
  return syscall(CSB_SYS_LANDLOCK_RESTRICT_SELF, ruleset_fd, 0U) < 0 ? -errno : 0;
}

// MARK: - prctl / seccomp

int csb_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ? -errno : 0; }

#if defined(__x86_64__)
#define CSB_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define CSB_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

int csb_seccomp_network_filter_available(void) {
#ifdef CSB_AUDIT_ARCH
  uint32_t action = SECCOMP_RET_ERRNO;
  return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0 ? -errno : 0;
#else
  return -ENOSYS;  // the filter below reads args[0] as a little-endian low word
#endif
}

int csb_install_network_filter(void) {
#ifdef CSB_AUDIT_ARCH
  struct sock_filter filter[] = {
      /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CSB_AUDIT_ARCH, 1, 0),
      /* 2 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      /* 3 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      /* 4 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 8, 0),  // x32 ABI -> 13
      /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 7, 0),  // -> 13
      /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 1, 0),  // -> 8
      /* 7 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      /* 8 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
      /* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 2, 0),  // -> 12
      /* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 1, 0),  // -> 12
      /* 11 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      /* 12 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EACCES & SECCOMP_RET_DATA)),
      /* 13 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
  };
  struct sock_fprog program = {(unsigned short)(sizeof filter / sizeof filter[0]), filter};
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0 ? -errno : 0;
#else
  return -ENOSYS;
#endif
}

// MARK: - Read-only bind mounts

static int write_text_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  size_t length = strlen(text);
  ssize_t written = write(fd, text, length);
  int err = written < 0 ? -errno : ((size_t)written != length ? -EIO : 0);
  close(fd);
  return err;
}

static int enter_user_namespace(const char **step) {
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
    *step = "unshare(CLONE_NEWUSER | CLONE_NEWNS)";
    return -errno;
  }
  // An unprivileged process may only map its own ids, and must give up setgroups first.
  int rc = write_text_file("/proc/self/setgroups", "deny");
  if (rc < 0 && rc != -ENOENT) {
    *step = "write /proc/self/setgroups";
    return rc;
  }
  char line[64];
  snprintf(line, sizeof line, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
  if ((rc = write_text_file("/proc/self/uid_map", line)) < 0) {
    *step = "write /proc/self/uid_map";
    return rc;
  }
  snprintf(line, sizeof line, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
  if ((rc = write_text_file("/proc/self/gid_map", line)) < 0) {
    *step = "write /proc/self/gid_map";
    return rc;
  }
  return 0;
}

static int bind_read_only(const char *path, const char **step) {
  if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) != 0) {
    if (errno == ENOENT) return 0;  // vanished since the parent looked: nothing left to protect
    *step = "bind mount";
    return -errno;
  }
  // A remount must keep the flags the kernel locked on the original mount (nosuid, nodev, noexec,
  // atime), or it fails with EPERM inside a user namespace.
  struct statvfs info;
  if (statvfs(path, &info) != 0) {
    *step = "statvfs";
    return -errno;
  }
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
  if (info.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (info.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (info.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (info.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (info.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (info.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  if (mount(NULL, path, NULL, flags, NULL) != 0) {
    *step = "read-only remount";
    return -errno;
  }
  return 0;
}

// Removes the capabilities that would let the sandboxed command undo the bind mounts without
// mount(2) (which Landlock already denies): setns(2) back into the original mount namespace needs
// CAP_SYS_ADMIN, open_by_handle_at(2) through another mount needs CAP_DAC_READ_SEARCH. Dropping
// them from the bounding set and clearing the inheritable and ambient sets means even a root
// command does not get them back at execve.
static int drop_escape_capabilities(const char **step) {
  int caps[] = {CAP_SYS_ADMIN, CAP_DAC_READ_SEARCH};
  for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
    if (prctl(PR_CAPBSET_DROP, caps[i], 0, 0, 0) != 0 && errno != EINVAL) {
      *step = "drop capability from the bounding set";
      return -errno;
    }
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    *step = "clear ambient capabilities";
    return -errno;
  }
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  if (syscall(SYS_capget, &header, data) != 0) {
    *step = "capget";
    return -errno;
  }
  data[0].inheritable = 0;
  data[1].inheritable = 0;
  if (syscall(SYS_capset, &header, data) != 0) {
    *step = "capset";
    return -errno;
  }
  return 0;
}

static int mount_read_only_paths(const char *const *paths, size_t count, const char **step) {
  // Our bind mounts must never propagate back into the namespace we came from.
  if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0) {
    *step = "make mounts slave";
    return -errno;
  }
  for (size_t i = 0; i < count; i++) {
    int rc = bind_read_only(paths[i], step);
    if (rc < 0) return rc;
  }
  return drop_escape_capabilities(step);
}

int csb_protect_read_only(const char *const *paths, size_t count, int allow_namespaces,
                          const char **failed_step) {
  const char *ignored = NULL;
  if (failed_step == NULL) failed_step = &ignored;
  if (!allow_namespaces) return CSB_PROTECT_UNAVAILABLE;
  if (unshare(CLONE_NEWNS) == 0) {
    int rc = mount_read_only_paths(paths, count, failed_step);
    return rc < 0 ? rc : CSB_PROTECT_MOUNT_NAMESPACE;
  }

  // Probe in a throwaway child first: some kernels (AppArmor-restricted Ubuntu, containers) let
  // unshare(CLONE_NEWUSER) succeed but refuse the id maps or mounts, and a process stuck in an
  // unmapped user namespace cannot create files at all.
  pid_t probe = fork();
  if (probe < 0) return CSB_PROTECT_UNAVAILABLE;
  if (probe == 0) {
    const char *step = NULL;
    _exit(enter_user_namespace(&step) == 0 && mount_read_only_paths(paths, count, &step) == 0 ? 0
                                                                                               : 1);
  }
  int status = 0;
  while (waitpid(probe, &status, 0) < 0) {
    if (errno != EINTR) return CSB_PROTECT_UNAVAILABLE;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return CSB_PROTECT_UNAVAILABLE;

  int rc = enter_user_namespace(failed_step);
  if (rc < 0) return rc;
  rc = mount_read_only_paths(paths, count, failed_step);
  return rc < 0 ? rc : CSB_PROTECT_USER_NAMESPACE;
}

// MARK: - Spawning and waiting

int csb_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC) != 0 ? -errno : 0; }

int csb_wake_fd_create(void) {
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  return fd < 0 ? -errno : fd;
}

int csb_wake_fd_signal(int fd) {
  uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop will wake anyway.
  if (write(fd, &one, sizeof one) < 0 && errno != EAGAIN) return -errno;
  return 0;
}

int csb_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
  long fd = syscall(SYS_pidfd_open, pid, 0);
#else
  long fd = syscall(434, pid, 0);
#endif
  return fd < 0 ? -errno : (int)fd;
}

int csb_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
  return posix_spawn_file_actions_addchdir_np(actions, path);
}

int csb_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowfd) {
  return posix_spawn_file_actions_addclosefrom_np(actions, lowfd);
}

int csb_execvp(const char *file, char *const argv[]) {
  execvp(file, argv);
  return -errno;
}

int csb_wifexited(int status) { return WIFEXITED(status); }
int csb_wexitstatus(int status) { return WEXITSTATUS(status); }
int csb_wifsignaled(int status) { return WIFSIGNALED(status); }
int csb_wtermsig(int status) { return WTERMSIG(status); }
