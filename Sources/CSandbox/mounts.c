#define _GNU_SOURCE
#include "CSandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// The new mount API (Linux 5.2 / 5.12). Numbers and flags are defined here: they are the same on
// every architecture, and glibc's and the kernel's headers for them conflict.
#define CSB_SYS_OPEN_TREE 428
#define CSB_SYS_MOVE_MOUNT 429
#define CSB_SYS_MOUNT_SETATTR 442
#define CSB_OPEN_TREE_CLONE 1
#define CSB_AT_RECURSIVE 0x8000
#define CSB_MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define CSB_MOUNT_ATTR_RDONLY 0x00000001

struct csb_mount_attr {
  uint64_t attr_set;
  uint64_t attr_clr;
  uint64_t propagation;
  uint64_t userns_fd;
};

// MARK: - Capabilities

int csb_drop_all_capabilities(const char **step) {
  const char *ignored = NULL;
  if (step == NULL) step = &ignored;
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  if (syscall(SYS_capget, &header, data) != 0) {
    *step = "capget";
    return -errno;
  }
  int can_set_bounding = (data[CAP_SETPCAP / 32].effective >> (CAP_SETPCAP % 32)) & 1;
  // The bounding set first: dropping from it needs CAP_SETPCAP, which the capset below removes.
  // Without CAP_SETPCAP it cannot shrink, and for a non-root uid it does not have to: with
  // no_new_privs, execve grants capabilities only to uid 0. Root without CAP_SETPCAP would get
  // the whole bounding set back at execve, so that fails closed.
  if (can_set_bounding) {
    for (int cap = 0; cap < 64; cap++) {
      if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
        *step = "drop a capability from the bounding set";
        return -errno;
      }
    }
  } else if (geteuid() == 0 || getuid() == 0) {
    *step = "drop the bounding set (root without CAP_SETPCAP)";
    return -EPERM;
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    *step = "clear ambient capabilities";
    return -errno;
  }
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &header, data) != 0) {
    *step = "capset";
    return -errno;
  }
  return 0;
}

// MARK: - Namespaces

// Async-signal-safe: also used in the forked probe.
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

// MARK: - Mounts

static int bind_read_only(const char *path, const char **step) {
  if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) != 0) {
    if (errno == ENOENT) return 0;  // vanished since we looked: nothing left to protect
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

static int by_length(const void *a, const void *b) {
  size_t la = strlen(*(const char *const *)a);
  size_t lb = strlen(*(const char *const *)b);
  return la < lb ? -1 : (la > lb ? 1 : 0);
}

/// Makes the whole tree read-only and puts a read-write copy of each root back on top. Returns 1
/// when done, 0 when the kernel lacks the mount API (nothing changed), or -errno.
static int read_only_outside_roots(const char *const *roots, size_t count, const char **step) {
  // Parents before children, so a child root is mounted on top of its parent's copy.
  const char **sorted = malloc((count ? count : 1) * sizeof *sorted);
  int *clones = malloc((count ? count : 1) * sizeof *clones);
  if (sorted == NULL || clones == NULL) {
    free(sorted);
    free(clones);
    *step = "allocate";
    return -ENOMEM;
  }
  memcpy(sorted, roots, count * sizeof *sorted);
  qsort(sorted, count, sizeof *sorted, by_length);
  int result = 1;
  size_t cloned = 0;
  // Detached copies taken before anything turns read-only keep each root's own flags.
  for (; cloned < count; cloned++) {
    clones[cloned] = (int)syscall(CSB_SYS_OPEN_TREE, AT_FDCWD, sorted[cloned],
                                  CSB_OPEN_TREE_CLONE | CSB_AT_RECURSIVE | O_CLOEXEC);
    if (clones[cloned] < 0) {
      if (errno == ENOSYS && cloned == 0) {
        result = 0;
      } else if (errno == ENOENT) {
        continue;  // the root vanished: there is nothing to keep writable
      } else {
        *step = "open_tree";
        result = -errno;
      }
      break;
    }
  }
  if (result == 1) {
    struct csb_mount_attr attr = {CSB_MOUNT_ATTR_RDONLY, 0, 0, 0};
    if (syscall(CSB_SYS_MOUNT_SETATTR, AT_FDCWD, "/", CSB_AT_RECURSIVE, &attr, sizeof attr) != 0) {
      if (errno == ENOSYS) {
        result = 0;
      } else {
        *step = "make every mount read-only";
        result = -errno;
      }
    }
  }
  for (size_t i = 0; result == 1 && i < cloned; i++) {
    if (clones[i] < 0) continue;
    if (syscall(CSB_SYS_MOVE_MOUNT, clones[i], "", AT_FDCWD, sorted[i],
                CSB_MOVE_MOUNT_F_EMPTY_PATH) != 0) {
      *step = "mount a writable root back";
      result = -errno;
    }
  }
  for (size_t i = 0; i < cloned; i++) {
    if (clones[i] >= 0) close(clones[i]);
  }
  free(sorted);
  free(clones);
  return result;
}

static int arrange_mounts(const char *const *roots, size_t root_count,
                          const char *const *read_only, size_t read_only_count,
                          int *read_only_outside, const char **step) {
  // Our mounts must never propagate back into the namespace we came from.
  if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0) {
    *step = "make mounts slave";
    return -errno;
  }
  int rc = read_only_outside_roots(roots, root_count, step);
  if (rc < 0) return rc;
  *read_only_outside = rc;
  for (size_t i = 0; i < read_only_count; i++) {
    rc = bind_read_only(read_only[i], step);
    if (rc < 0) return rc;
  }
  // The working directory still points into the mounts as they were (a root's read-only
  // original, a protected path's writable one): enter it again through the new ones.
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd) != NULL && chdir(cwd) != 0) {
    *step = "re-enter the working directory";
    return -errno;
  }
  return 0;
}

int csb_setup_mounts(const char *const *roots, size_t root_count, const char *const *read_only,
                     size_t read_only_count, int allow_namespaces, int *read_only_outside,
                     const char **failed_step) {
  const char *ignored = NULL;
  int ignored_flag = 0;
  if (failed_step == NULL) failed_step = &ignored;
  if (read_only_outside == NULL) read_only_outside = &ignored_flag;
  *read_only_outside = 0;
  if (!allow_namespaces) return CSB_MOUNTS_UNAVAILABLE;
  if (unshare(CLONE_NEWNS) == 0) {
    int rc = arrange_mounts(roots, root_count, read_only, read_only_count, read_only_outside,
                            failed_step);
    return rc < 0 ? rc : CSB_MOUNTS_MOUNT_NAMESPACE;
  }

  // Probe in a throwaway child first: some kernels (AppArmor-restricted Ubuntu, containers) let
  // unshare(CLONE_NEWUSER) succeed but refuse the id maps or mounts, and a process stuck in an
  // unmapped user namespace cannot create files at all.
  pid_t probe = fork();
  if (probe < 0) return CSB_MOUNTS_UNAVAILABLE;
  if (probe == 0) {
    const char *step = NULL;
    int flag = 0;
    _exit(enter_user_namespace(&step) == 0 &&
                  arrange_mounts(roots, root_count, read_only, read_only_count, &flag, &step) == 0
              ? 0
              : 1);
  }
  int status = 0;
  while (waitpid(probe, &status, 0) < 0) {
    if (errno != EINTR) return CSB_MOUNTS_UNAVAILABLE;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return CSB_MOUNTS_UNAVAILABLE;

  int rc = enter_user_namespace(failed_step);
  if (rc < 0) return rc;
  rc = arrange_mounts(roots, root_count, read_only, read_only_count, read_only_outside,
                      failed_step);
  return rc < 0 ? rc : CSB_MOUNTS_USER_NAMESPACE;
}
