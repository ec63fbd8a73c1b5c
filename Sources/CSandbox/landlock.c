#define _GNU_SOURCE
#include "CSandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

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
